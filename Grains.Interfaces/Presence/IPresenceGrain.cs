using Cryb.Identity;

namespace Cryb.Presence;

/// <summary>
/// A user's presence, keyed by user id: their live connections on every gateway, the status they
/// chose, automatic idle, a grace period before offline, and <c>lastSeenAt</c>. Changes go, coalesced,
/// to the users who share a channel with this one.
/// </summary>
[Alias("cryb.IPresenceGrain")]
public interface IPresenceGrain : IGrainWithStringKey
{
    /// <summary>
    /// A gateway registers one of the user's connections (idempotent), and gets the user's presence
    /// for the connection's <c>Ready</c> in the same round trip.
    /// </summary>
    [Alias("Connect")]
    Task<PresenceInfo> Connect(Caller caller, PresenceConnection connection);

    [Alias("Disconnect")]
    Task Disconnect(Caller caller, string connectionId);

    /// <summary>The user did something on this connection: an idle user is online again.</summary>
    [Alias("ReportActivity")]
    Task ReportActivity(Caller caller, string connectionId);

    /// <summary>The user's chosen status (not offline) and optional activity.</summary>
    [Alias("SetPresence")]
    Task<PresenceInfo> SetPresence(Caller caller, PresenceStatus status, PresenceActivity? activity);

    /// <summary>This user's presence, for the user themselves or anyone who shares a channel or a server with them.</summary>
    [Alias("Get")]
    Task<PresenceInfo> Get(Caller caller);

    /// <summary>Called by the gateway's lease when the gateway stopped heartbeating: its connections are gone.</summary>
    [Alias("GatewayLost")]
    Task GatewayLost(string gatewayId);
}
