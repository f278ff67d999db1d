using Cryb.Channels;
using Cryb.Guilds;
using Cryb.Notifications;
using Cryb.Presence;
using Cryb.Relationships;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// The <c>Ready</c> event: who the connection is, their own presence, each of their channels with its
/// seq and unread count (the server text channels they can view included), and each of their servers
/// as they see it. A connection opened with <c>guilds=resume</c> gets no <see cref="Guilds"/> but
/// <see cref="GuildVersions"/> (each server's id and newest version), and asks for the servers it
/// does not hold up to date with <c>ResumeGuilds</c>; others get no <see cref="GuildVersions"/>.
/// </summary>
public sealed record ReadyPayload(ReadyUser User, PresenceInfo Presence, IReadOnlyList<ChannelSummary> Channels, IReadOnlyList<GuildState> Guilds, IReadOnlyList<GuildVersion>? GuildVersions = null)
{
    /// <summary>The user's friends, friend requests both ways and blocks (docs/relationships.md).</summary>
    public IReadOnlyList<Relationship> Relationships { get; init; } = [];

    /// <summary>The presence of each friend who is online, idle or in do-not-disturb (the others are offline).</summary>
    public IReadOnlyList<PresenceInfo> FriendPresences { get; init; } = [];

    /// <summary>Invitations to channels waiting for the user's answer, newest first.</summary>
    public IReadOnlyList<Invitation> Invitations { get; init; } = [];

    /// <summary>The user's newest notification seq, read cursor, unread count and unread mentions per channel (docs/notifications.md).</summary>
    public NotificationSummary Notifications { get; init; } = NotificationSummary.Empty;
}

public sealed record ReadyUser(string Id, string DisplayName);
