using Cryb.Gateway.Fanout;
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
    ConnectionRegistry connections,
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
                    await RegisterAllAsync();
                }

                lastActivation = activation;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogHeartbeatFailed(ex);
            }
        }
    }

    private async Task RegisterAllAsync()
    {
        foreach (var (connectionId, userId, device) in connections.All())
        {
            await cluster.GetGrain<IPresenceGrain>(userId)
                .Connect(Caller.User(userId, account), new PresenceConnection(connectionId, gateway.Id, device));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Presence heartbeat failed; retrying at the next beat")]
    private partial void LogHeartbeatFailed(Exception exception);
}
