using Cryb.Identity;

namespace Cryb.Streaming;

/// <summary>How an Orleans client subscribes to push streams.</summary>
public sealed class PushStreamOptions
{
    /// <summary>
    /// The credential subscriptions are made with: a gateway's account (one that acts for users),
    /// since a subscriber sees every event of a stream. Publishing needs none (silo-internal).
    /// </summary>
    public ServiceCredential? Credential { get; set; }

    /// <summary>
    /// How long an owner keeps a subscription after its last renewal. The client renews by asking
    /// for the stream's subscription handles (<c>GetAllSubscriptionHandles</c>), so this must
    /// outlast the time between two such checks with room to spare.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a push that arrived early waits for the ones before it before they are given up
    /// for lost (and the subscriber fills the gap from the truth). Orleans reorders messages only
    /// briefly (a route lookup), while a real loss needs a broken connection: so a generous wait
    /// costs latency only on a loss, and a short one would turn late pushes into needless fills.
    /// </summary>
    public TimeSpan ReorderWait { get; set; } = TimeSpan.FromMilliseconds(200);
}
