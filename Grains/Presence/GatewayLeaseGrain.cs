using Cryb.Identity;
using Cryb.Presence;
using Microsoft.Extensions.Options;

namespace Cryb.Grains.Presence;

/// <summary>
/// A gateway's liveness lease. Nothing is persisted: if this grain's silo is lost, the next
/// heartbeat finds a new activation id and the gateway registers its connections again.
/// </summary>
public sealed class GatewayLeaseGrain(IOptions<PresenceOptions> options, TimeProvider time) : Grain, IGatewayLeaseGrain
{
    private readonly Guid _activationId = Guid.NewGuid();
    private readonly HashSet<string> _users = [];
    private DateTimeOffset _lastHeartbeat;

    private TimeSpan Lease => options.Value.GatewayLease;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A fresh activation gives the gateway one full lease to heartbeat before it is judged.
        _lastHeartbeat = time.GetUtcNow();
        // KeepAlive: while users are tracked, this grain must outlive idleness to notice a silent gateway.
        this.RegisterGrainTimer(CheckAsync, new GrainTimerCreationOptions
        {
            DueTime = Lease / 3,
            Period = Lease / 3,
            KeepAlive = true,
        });
        return Task.CompletedTask;
    }

    public Task<Guid> Heartbeat(ServiceCredential gateway)
    {
        _lastHeartbeat = time.GetUtcNow();
        return Task.FromResult(_activationId);
    }

    public Task Track(string userId)
    {
        _users.Add(userId);
        return Task.CompletedTask;
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - _lastHeartbeat <= Lease)
        {
            return;
        }

        var gatewayId = this.GetPrimaryKeyString();
        foreach (var userId in _users)
        {
            await GrainFactory.GetGrain<IPresenceGrain>(userId).GatewayLost(gatewayId);
        }

        _users.Clear();
        this.DeactivateOnIdle();
    }
}
