using Cryb.Identity;
using Cryb.Voice;
using Orleans.Concurrency;

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

    /// <summary>
    /// Makes <paramref name="binding"/> the user's one voice session and returns the one it replaced
    /// (null if none, or if it was this session). Refused with <c>invalid_argument</c> when the
    /// binding's connection is not one of the user's live connections. Silo-internal: the voice grain
    /// calls it once it has authorized the join; the presence grain ends the session (one-way
    /// <see cref="IVoiceGrain.EndSession"/>) when that connection goes and does not come back within
    /// the grace period, or its gateway is lost.
    /// </summary>
    [Alias("BindVoice")]
    Task<VoiceBinding?> BindVoice(VoiceBinding binding);

    /// <summary>Forgets the voice binding if it is still <paramref name="sessionId"/>. Silo-internal.</summary>
    [Alias("UnbindVoice")]
    Task UnbindVoice(string sessionId);

    /// <summary>
    /// Whether <paramref name="sessionId"/> is the user's bound session and its connection is live
    /// or within its grace period. Silo-internal: a voice grain activating on rows a lost silo left
    /// asks it for each state.
    /// </summary>
    [Alias("IsVoiceSessionLive")]
    Task<bool> IsVoiceSessionLive(string sessionId);

    /// <summary>
    /// Since when the user has had no open connection: null while one is open. An activation that
    /// has not seen one answers its own start (the user may have been away longer, never shorter:
    /// a silo's successor does not know when the connections it lost closed). Silo-internal: the
    /// push outbox asks it before pushing (docs/notifications.md, Web Push).
    /// </summary>
    [Alias("AwaySince"), AlwaysInterleave]
    Task<DateTimeOffset?> AwaySince();

    /// <summary>The caller's own voice binding (null outside voice): where a gateway sends <c>LeaveVoice</c> and <c>UpdateVoiceState</c>.</summary>
    [Alias("GetVoice")]
    Task<VoiceBinding?> GetVoice(Caller caller);
}
