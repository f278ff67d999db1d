using Cryb.Channels;
using Cryb.Guilds;
using Cryb.Presence;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// The <c>Ready</c> event: who the connection is, their own presence, each of their channels with its
/// seq and unread count (the server text channels they can view included), and each of their servers
/// as they see it.
/// </summary>
public sealed record ReadyPayload(ReadyUser User, PresenceInfo Presence, IReadOnlyList<ChannelSummary> Channels, IReadOnlyList<GuildState> Guilds);

public sealed record ReadyUser(string Id, string DisplayName);
