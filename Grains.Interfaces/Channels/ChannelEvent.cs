using Cryb.Messages;

namespace Cryb.Channels;

/// <summary>An event on a channel's stream, fanned out by each gateway to its members' connections.</summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelEvent")]
public abstract record ChannelEvent([property: Id(0)] string ChannelId);

/// <summary>A message was stored in the channel.</summary>
[GenerateSerializer, Immutable, Alias("cryb.MessageCreated")]
public sealed record MessageCreated([property: Id(0)] ChatMessage Message) : ChannelEvent(Message.ChannelId);
