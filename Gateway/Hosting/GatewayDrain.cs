using Cryb.Errors;
using Cryb.Gateway.Fanout;
using Cryb.Gateway.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Cryb.Gateway.Hosting;

/// <summary>
/// A gateway's graceful stop (SIGTERM): readiness turns false and new hub connections are refused
/// with 503, so load balancers send clients elsewhere; every open connection is told why it closes
/// (<c>gateway_stopping</c>, after the events already queued for it) and may reconnect at once; the
/// stop waits, up to half of <c>Shutdown:Timeout</c>, for the clients to go before SignalR drops
/// whoever is left. A client that comes back resumes with <c>JoinChannel(channelId, sinceSeq)</c>,
/// so nothing sent meanwhile is lost.
/// </summary>
/// <remarks>
/// It runs as an <c>ApplicationStopping</c> callback, the first thing SIGTERM triggers. SignalR
/// closes its connections from a callback of the same token, registered when the hub was mapped;
/// this one is registered later, at start, and callbacks run last-registered first.
/// </remarks>
public sealed partial class GatewayDrain(
    IHostApplicationLifetime lifetime,
    HubLifetimeManager<ChatHub> hubs,
    ConnectionRegistry connections,
    IOptions<HostOptions> host,
    TimeProvider time,
    ILogger<GatewayDrain> logger) : IHostedService, IHealthCheck
{
    /// <summary>
    /// The close reason, worded as SignalR words a refusal in <c>OnConnectedAsync</c>
    /// (<c>too_many_connections</c>), so clients read every close reason the same way.
    /// </summary>
    public const string CloseReason = $"Connection closed with an error. HubException: {ErrorCodes.GatewayStopping}: This gateway is shutting down; reconnect.";

    private CancellationTokenRegistration _stopping;
    private volatile bool _draining;

    /// <summary>True once the gateway has begun to stop: it takes no new connections.</summary>
    public bool Draining => _draining;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(Drain);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _stopping.DisposeAsync().AsTask();

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_draining ? HealthCheckResult.Unhealthy("the gateway is stopping") : HealthCheckResult.Healthy());

    /// <summary>Synchronous on purpose: the callback must hold SignalR's own close back until the clients have read theirs.</summary>
    private void Drain()
    {
        _draining = true;
        var open = connections.Count;
        var started = time.GetTimestamp();
        ((BoundedHubLifetimeManager<ChatHub>)hubs).CloseAll(CloseReason);
        var wait = host.Value.ShutdownTimeout / 2;
        while (connections.Count > 0 && time.GetElapsedTime(started) < wait)
        {
            Thread.Sleep(20);
        }

        LogDrained(open, connections.Count, time.GetElapsedTime(started).TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: told {Open} connections to reconnect elsewhere; {Left} still open after {ElapsedMs:F0} ms")]
    private partial void LogDrained(int open, int left, double elapsedMs);
}
