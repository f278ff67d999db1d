namespace Cryb.Channels;

/// <summary>A member of a channel with their role (the protocol's <c>Member</c> payload).</summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelMember")]
public sealed record ChannelMember(
    [property: Id(0)] string UserId,
    [property: Id(1)] ChannelRole Role);
