using Cryb.Identity;
using Orleans.Concurrency;

namespace Cryb.Notifications;

/// <summary>
/// The cluster's VAPID public key, which a browser passes to <c>PushManager.subscribe</c> as its
/// <c>applicationServerKey</c>: the key lives in the silos' settings, and gateways ask for it here.
/// A stateless worker, so every silo answers from its own settings without a round trip.
/// </summary>
[Alias("cryb.IPushKeyGrain")]
public interface IPushKeyGrain : IGrainWithIntegerKey
{
    /// <summary>The VAPID public key (base64url), or null when push is off. Anyone may ask: it is public.</summary>
    [Alias("GetPublicKey"), AlwaysInterleave]
    Task<string?> GetPublicKey(Caller caller);
}
