using Cryb.Identity;

namespace Cryb.Presence;

/// <summary>
/// The liveness lease of one gateway process, keyed by its gateway id. The gateway heartbeats; the
/// presence grains of its users register with it; when heartbeats stop for longer than the lease,
/// it tells each of them the gateway is gone, so a crashed gateway's users go offline by themselves.
/// </summary>
[Alias("cryb.IGatewayLeaseGrain")]
public interface IGatewayLeaseGrain : IGrainWithStringKey
{
    /// <summary>
    /// Renews the lease, as the gateway's service account; returns this activation's id, which
    /// changes if the lease's silo was lost.
    /// </summary>
    [Alias("Heartbeat")]
    Task<Guid> Heartbeat(ServiceCredential gateway);

    /// <summary>A presence grain with a connection on this gateway. Silo-internal: refused from clients.</summary>
    [Alias("Track")]
    Task Track(string userId);
}
