using Cryb.Identity;
using Cryb.Notifications;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Cryb.Grains.Notifications.Push;

/// <summary>
/// Answers the VAPID public key from this silo's settings. A stateless worker: an activation on
/// every silo that is asked, no state, no storage.
/// </summary>
[StatelessWorker]
public sealed class PushKeyGrain(IOptions<PushOptions> options) : Grain, IPushKeyGrain
{
    public Task<string?> GetPublicKey(Caller caller) =>
        Task.FromResult(options.Value.Enabled ? options.Value.PublicKey!.Trim() : null);
}
