namespace Cryb.Gateway.Hubs;

/// <summary>The <c>InvitationRemoved</c> payload: the channel whose invitation is no longer pending, and why.</summary>
public sealed record InvitationGone(string ChannelId, string Reason);
