using Cryb.Gateway.Fanout;
using Microsoft.Extensions.Options;
using Orleans.Messaging;

namespace Cryb.Gateway.Hosting;

/// <summary>
/// Watches the cluster's live silos (the gateway list in the membership table, each silo with its
/// generation) and reports every change to <see cref="ClusterConnectionChanges"/>. Stream
/// subscriptions live in the owner grains' memory, so any silo that died took some with it; the
/// Orleans client's own connection events miss a silo killed and started again on the same port
/// (the client reconnects to the same address, the count of gateways never changes), while its
/// new generation shows here.
/// </summary>
public sealed partial class ClusterMembershipWatcher(
    IServiceProvider services,
    ClusterConnectionChanges changes,
    IOptions<SubscriptionHealthOptions> options,
    TimeProvider time,
    ILogger<ClusterMembershipWatcher> logger) : BackgroundService
{
    /// <summary>
    /// A poll that comes this many intervals late means this process was suspended (SIGSTOP, a frozen
    /// VM) or starved: whatever happened to the cluster meanwhile, its connections may be dead and
    /// its subscriptions gone, so it checks them as after a change, whatever the table says.
    /// </summary>
    private const int LateFactor = 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        HashSet<Uri>? known = null;
        var interval = options.Value.MembershipPollInterval;
        using var timer = new PeriodicTimer(interval, time);
        var lastPoll = time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var sinceLastPoll = time.GetElapsedTime(lastPoll);
                lastPoll = time.GetTimestamp();
                if (sinceLastPoll > LateFactor * interval)
                {
                    LogSuspended(sinceLastPoll.TotalSeconds);
                    changes.SiloLost();
                }

                try
                {
                    // Resolved here: the provider comes with the Orleans client, built after this service.
                    // Bounded: a read stuck on a connection that died under it must not stop the watch.
                    var silos = (await services.GetRequiredService<IGatewayListProvider>().GetGateways()
                        .WaitAsync(ReadTimeout(interval), stoppingToken)).ToHashSet();
                    if (known is not null && !known.SetEquals(silos))
                    {
                        // A silo gone (or back on its port with a new generation) took grains with it.
                        var lost = known.Except(silos).Count();
                        LogChanged(known.Count, silos.Count, lost);
                        if (lost > 0)
                        {
                            changes.SiloLost();
                        }
                        else
                        {
                            changes.Changed();
                        }
                    }

                    known = silos;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogReadFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static TimeSpan ReadTimeout(TimeSpan interval) => interval > TimeSpan.FromSeconds(5) ? interval : TimeSpan.FromSeconds(5);

    [LoggerMessage(Level = LogLevel.Information, Message = "The cluster's silos changed ({Before} -> {After} live, {Lost} gone); checking stream subscriptions")]
    private partial void LogChanged(int before, int after, int lost);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The membership poll came {Seconds:0.0} s late: this process was suspended or starved; checking stream subscriptions and presence")]
    private partial void LogSuspended(double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading the cluster's silos failed; trying again at the next poll")]
    private partial void LogReadFailed(Exception exception);
}
