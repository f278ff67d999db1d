using Cryb.Gateway.Hosting;

namespace Cryb.Gateway.Presence;

/// <summary>
/// When a silo leaves the cluster, the presence grains it held are gone with the connections they
/// knew, and their users would show offline (and their connection cap start from zero) until they
/// reconnect. So after every silo loss this gateway registers its connections again; those whose
/// grain did not answer (it may still be on a silo not yet declared dead) are tried again each
/// second, and every later loss starts a new round. Disconnects that failed the same way are
/// retried here too (<see cref="PresenceRegistrations.DisconnectAsync"/>).
/// </summary>
public sealed partial class PresenceRecovery(
    ClusterConnectionChanges changes,
    PresenceRegistrations registrations,
    TimeProvider time,
    ILogger<PresenceRecovery> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Rounds before giving up on a connection: past any failure detection (a dead silo is declared
    /// dead within seconds); a later silo loss starts over.
    /// </summary>
    private const int MaxRounds = 60;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<PresenceRegistrations.LocalConnection> pending = [];
        var rounds = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (await changes.WaitForLossAsync(RetryDelay, time, stoppingToken))
                {
                    pending = await registrations.RegisterAsync(null, PresenceRegistrations.SiloLost, stoppingToken);
                    rounds = 1;
                }
                else if (pending.Count > 0)
                {
                    rounds++;
                    pending = await registrations.RegisterAsync(pending, PresenceRegistrations.SiloLost, stoppingToken);
                    if (pending.Count > 0 && rounds >= MaxRounds)
                    {
                        LogGaveUp(pending.Count);
                        pending = [];
                    }
                }

                await registrations.RetryDisconnectsAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The gateway is stopping: its connections close, and their presence with them.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} connections could not be registered with presence again; their users show offline until they reconnect or another silo leaves")]
    private partial void LogGaveUp(int count);
}
