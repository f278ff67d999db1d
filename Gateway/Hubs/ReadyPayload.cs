using Cryb.Channels;

namespace Cryb.Gateway.Hubs;

/// <summary>The <c>Ready</c> event: who the connection is, and each of their channels with its seq and unread count.</summary>
public sealed record ReadyPayload(ReadyUser User, IReadOnlyList<ChannelSummary> Channels);

public sealed record ReadyUser(string Id, string DisplayName);
