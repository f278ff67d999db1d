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
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        HashSet<Uri>? known = null;
        using var timer = new PeriodicTimer(options.Value.MembershipPollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    // Resolved here: the provider comes with the Orleans client, built after this service.
                    var silos = (await services.GetRequiredService<IGatewayListProvider>().GetGateways()).ToHashSet();
                    if (known is not null && !known.SetEquals(silos))
                    {
                        LogChanged(known.Count, silos.Count);
                        changes.Changed();
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

    [LoggerMessage(Level = LogLevel.Information, Message = "The cluster's silos changed ({Before} -> {After} live); checking stream subscriptions")]
    private partial void LogChanged(int before, int after);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading the cluster's silos failed; trying again at the next poll")]
    private partial void LogReadFailed(Exception exception);
}
