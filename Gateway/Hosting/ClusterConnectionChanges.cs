using System.Threading.Channels;

namespace Cryb.Gateway.Hosting;

/// <summary>
/// Tells the gateway when its Orleans client gained or lost a connection to a silo: a silo died,
/// left or joined. Stream subscriptions and queued events may have been lost with it, so the fan-out
/// checks them (<see cref="Fanout.SubscriptionHealth"/>); when a silo was lost, presence grains may
/// have been lost with it, so the gateway registers its connections again
/// (<see cref="Presence.PresenceRecovery"/>). Each of the two readers has a signal of its own. Has
/// no dependencies: Orleans resolves its status observers while the client itself is being built.
/// </summary>
public sealed class ClusterConnectionChanges : IClusterConnectionStatusObserver
{
    private readonly Channel<bool> _changes = Signal();
    private readonly Channel<bool> _losses = Signal();
    private CancellationTokenSource _lossOfThisView = new();

    /// <summary>
    /// Cancelled at the next silo loss: calls in flight then may never be answered (one on its way
    /// to a silo that died or froze is lost with it), so <see cref="Hubs.SiloLossFilter"/> stops
    /// waiting for them.
    /// </summary>
    public CancellationToken NextLoss => Volatile.Read(ref _lossOfThisView).Token;

    /// <summary>
    /// Makes a grain call that gives up at the next silo loss, as <see cref="Hubs.SiloLossFilter"/>
    /// does for hub calls. For a call that later calls wait on: the filter frees the calls in
    /// flight at a loss, not those that began after it and wait for one that was. A rate-limit
    /// lease sent through a frozen silo's gateway held every later send of its user for the 30 s
    /// grain call timeout, and "every channel sends again" took 37 s after a SIGSTOP.
    /// </summary>
    public async Task<T> UntilSiloLossAsync<T>(Func<Task<T>> call)
    {
        var loss = NextLoss;
        try
        {
            return await call().WaitAsync(loss);
        }
        catch (OperationCanceledException) when (loss.IsCancellationRequested)
        {
            throw InFlightAtLoss();
        }
    }

    /// <summary>What a call in flight at a silo loss ends with: its outcome is unknown, as after any timeout.</summary>
    public static TimeoutException InFlightAtLoss() =>
        new("A silo left the cluster while this call was in flight; its outcome is unknown.");

    /// <summary>Waits for a change, or for <paramref name="timeout"/>; true if a change came (several count as one).</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) =>
        WaitAsync(_changes, timeout, time, cancellationToken);

    /// <summary>Waits for a silo loss, or for <paramref name="timeout"/>; true if one came since the last wait returned true (several count as one).</summary>
    public Task<bool> WaitForLossAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) =>
        WaitAsync(_losses, timeout, time, cancellationToken);

    /// <summary>The cluster's silos changed in a way the Orleans client did not report (<see cref="ClusterMembershipWatcher"/>).</summary>
    public void Changed() => _changes.Writer.TryWrite(true);

    /// <summary>A silo left the cluster, or may have while this process could not tell (it was suspended).</summary>
    public void SiloLost()
    {
        _changes.Writer.TryWrite(true);
        _losses.Writer.TryWrite(true);
        // Not disposed: calls still registered on it would race the disposal, and a source
        // without a timer holds nothing the collector cannot take.
        Interlocked.Exchange(ref _lossOfThisView, new CancellationTokenSource()).Cancel();
    }

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways < previousNumberOfGateways)
        {
            SiloLost();
        }
        else
        {
            Changed();
        }
    }

    public void NotifyClusterConnectionLost() => SiloLost();

    private static async Task<bool> WaitAsync(Channel<bool> signal, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var elapsed = new CancellationTokenSource(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, elapsed.Token);
        try
        {
            await signal.Reader.ReadAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static Channel<bool> Signal() =>
        Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
}
