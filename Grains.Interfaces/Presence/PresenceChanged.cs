namespace Cryb.Presence;

/// <summary>
/// A user's presence changed: pushed on one presence stream to every gateway, which sends it to its
/// connections that share one of <see cref="ChannelIds"/> or <see cref="GuildIds"/> with the user. <see cref="Version"/>
/// grows with every change of the user's presence, so a gateway never lets an older one overwrite
/// a newer one.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.PresenceChanged")]
public sealed record PresenceChanged(
    [property: Id(0)] PresenceInfo Presence,
    [property: Id(1)] IReadOnlyList<string> ChannelIds,
    [property: Id(2)] long Version)
{
    /// <summary>When the presence grain published it; gateways measure fan-out latency from it.</summary>
    [Id(3)]
    public DateTimeOffset? CommittedAt { get; init; }

    /// <summary>The servers the user is a member of: their members hear of the change too.</summary>
    [Id(4)]
    public IReadOnlyList<string> GuildIds { get; init; } = [];

    /// <summary>The user's friends: they hear of the change wherever they are, with no channel or server shared.</summary>
    [Id(5)]
    public IReadOnlyList<string> FriendIds { get; init; } = [];
}
