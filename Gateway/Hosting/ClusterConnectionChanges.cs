using System.Threading.Channels;

namespace Cryb.Gateway.Hosting;

/// <summary>
/// Tells the gateway when its Orleans client gained or lost a connection to a silo: a silo died,
/// left or joined. Stream subscriptions and queued events may have been lost with it, so the fan-out
/// checks them (<see cref="Fanout.SubscriptionHealth"/>). Has no dependencies: Orleans resolves its
/// status observers while the client itself is being built.
/// </summary>
public sealed class ClusterConnectionChanges : IClusterConnectionStatusObserver
{
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Waits for a change, or for <paramref name="timeout"/>; true if a change came (several count as one).</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var elapsed = new CancellationTokenSource(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, elapsed.Token);
        try
        {
            await _changes.Reader.ReadAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The cluster's silos changed in a way the Orleans client did not report (<see cref="ClusterMembershipWatcher"/>).</summary>
    public void Changed() => _changes.Writer.TryWrite(true);

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered) =>
        _changes.Writer.TryWrite(true);

    public void NotifyClusterConnectionLost() => _changes.Writer.TryWrite(true);
}
