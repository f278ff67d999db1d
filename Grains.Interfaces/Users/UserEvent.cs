using Cryb.Channels;

namespace Cryb.Users;

/// <summary>An event on a user's stream, delivered to every connection of that user on every gateway.</summary>
[GenerateSerializer, Immutable, Alias("cryb.UserEvent")]
public abstract record UserEvent([property: Id(0)] string UserId);

/// <summary>The user became a member of a channel (created or joined it, on any device).</summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelAdded")]
public sealed record ChannelAdded(string UserId, [property: Id(0)] ChannelInfo Channel) : UserEvent(UserId);
