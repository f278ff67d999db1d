using Cryb.Channels;
using Cryb.Presence;

namespace Cryb.Gateway.Hubs;

/// <summary>The <c>Ready</c> event: who the connection is, their own presence, and each of their channels with its seq and unread count.</summary>
public sealed record ReadyPayload(ReadyUser User, PresenceInfo Presence, IReadOnlyList<ChannelSummary> Channels);

public sealed record ReadyUser(string Id, string DisplayName);
