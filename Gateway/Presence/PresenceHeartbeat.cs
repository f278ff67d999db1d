using Cryb.Identity;
using Cryb.Presence;

namespace Cryb.Gateway.Presence;

/// <summary>
/// Keeps this gateway's presence lease alive. If the lease grain was lost with its silo (a new
/// activation id answers), registers every local connection again so their users stay online and
/// stay tracked.
/// </summary>
public sealed partial class PresenceHeartbeat(
    IClusterClient cluster,
    ServiceCredential account,
    GatewayIdentity gateway,
    PresenceRegistrations registrations,
    IConfiguration configuration,
    ILogger<PresenceHeartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A third of the silos' Presence:GatewayLease (15 s by default): two beats may be lost.
        var interval = configuration.GetValue("Presence:HeartbeatInterval", TimeSpan.FromSeconds(5));
        Guid? lastActivation = null;
        using var timer = new PeriodicTimer(interval);
        try
        {
            await BeatAsync();
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await BeatAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The gateway is stopping: its connections close, and their presence with them.
        }

        async Task BeatAsync()
        {
            try
            {
                var activation = await cluster.GetGrain<IGatewayLeaseGrain>(gateway.Id).Heartbeat(account);
                if (lastActivation is { } last && last != activation)
                {
                    // Those that fail now are registered by the next activation change, or by
                    // PresenceRecovery after the silo loss that most likely caused this one.
                    await registrations.RegisterAsync(null, PresenceRegistrations.LeaseLost, stoppingToken);
                }

                lastActivation = activation;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogHeartbeatFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Presence heartbeat failed; retrying at the next beat")]
    private partial void LogHeartbeatFailed(Exception exception);
}
