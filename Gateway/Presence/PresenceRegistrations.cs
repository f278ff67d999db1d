using System.Collections.Concurrent;
using System.Diagnostics;
using Cryb.Gateway.Fanout;
using Cryb.Gateway.Hosting;
using Cryb.Identity;
using Cryb.Presence;

namespace Cryb.Gateway.Presence;

/// <summary>
/// Registers every connection this gateway holds with its user's presence grain again. Presence
/// grains keep live connections in memory only, so a grain that was lost with its silo, or a lease
/// that expired, forgets them; registering is idempotent, so doing it when it was not needed costs
/// one call per connection and changes nothing.
/// </summary>
public sealed partial class PresenceRegistrations(
    IClusterClient cluster,
    ServiceCredential account,
    GatewayIdentity gateway,
    ConnectionRegistry connections,
    GatewayMetrics metrics,
    TimeProvider time,
    ILogger<PresenceRegistrations> logger)
{
    /// <summary>
    /// Calls in flight at once: enough to register 10,000 connections in a few seconds, few enough
    /// that the silos keep serving everyone else meanwhile.
    /// </summary>
    private const int Parallelism = 32;

    /// <summary>How long a failed disconnect is retried: past any failure detection and the gateway lease.</summary>
    private static readonly TimeSpan DisconnectRetryFor = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, (string UserId, DateTimeOffset Until)> _disconnects = new();

    /// <summary>
    /// How long one registration may take before it counts as failed and is tried again: a grain on
    /// a silo not yet declared dead may not answer for the whole grain call timeout (30 s).
    /// </summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A silo left the cluster, and the presence grains it held with it (<see cref="PresenceRecovery"/>).</summary>
    public const string SiloLost = "silo_lost";

    /// <summary>This gateway's lease grain answered from a new activation (<see cref="PresenceHeartbeat"/>).</summary>
    public const string LeaseLost = "lease_lost";

    /// <summary>
    /// Registers <paramref name="pending"/> (every connection when null) because of
    /// <paramref name="reason"/> (<see cref="SiloLost"/>, <see cref="LeaseLost"/>); returns those that could not be.
    /// </summary>
    public async Task<IReadOnlyList<LocalConnection>> RegisterAsync(
        IReadOnlyList<LocalConnection>? pending, string reason, CancellationToken cancellationToken)
    {
        var all = pending ?? connections.All().Select(c => new LocalConnection(c.ConnectionId, c.UserId, c.Device)).ToArray();
        var failed = new List<LocalConnection>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(all, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (connection, _) =>
            {
                try
                {
                    await RegisterAsync(connection).WaitAsync(CallTimeout, cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    lock (failed)
                    {
                        failed.Add(connection);
                        if (failed.Count == 1)
                        {
                            LogRegisterFailed(ex, connection.UserId);
                        }
                    }
                }
            });
        metrics.PresenceRegistered(reason, all.Count - failed.Count, failed.Count);
        LogRegistered(all.Count, reason, failed.Count, clock.ElapsedMilliseconds);
        return failed;
    }

    /// <summary>
    /// Tells the user's presence grain a connection closed. If the grain does not answer (its silo
    /// died and is not declared dead yet), the disconnect is kept and retried by
    /// <see cref="PresenceRecovery"/> each second: the grain's next activation must hear of it, or
    /// the others would see the user online until they reconnect.
    /// </summary>
    public async Task DisconnectAsync(string userId, string connectionId)
    {
        try
        {
            await DisconnectOnceAsync(userId, connectionId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogDisconnectDeferred(ex, userId);
            _disconnects[connectionId] = (userId, time.GetUtcNow() + DisconnectRetryFor);
        }
    }

    /// <summary>Tries the disconnects that failed again; each is given up after <see cref="DisconnectRetryFor"/>.</summary>
    public async Task RetryDisconnectsAsync(CancellationToken cancellationToken)
    {
        foreach (var (connectionId, (userId, until)) in _disconnects)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await DisconnectOnceAsync(userId, connectionId, cancellationToken);
                _disconnects.TryRemove(connectionId, out _);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested && time.GetUtcNow() < until)
            {
                // Still unreachable: the next second tries again.
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                _disconnects.TryRemove(connectionId, out _);
                LogDisconnectGivenUp(ex, userId);
            }
        }
    }

    private Task DisconnectOnceAsync(string userId, string connectionId, CancellationToken cancellationToken) =>
        cluster.GetGrain<IPresenceGrain>(userId).Disconnect(Caller.User(userId, account), connectionId).WaitAsync(CallTimeout, cancellationToken);

    private async Task RegisterAsync(LocalConnection connection)
    {
        var (connectionId, userId, device) = connection;
        var presence = cluster.GetGrain<IPresenceGrain>(userId);
        var caller = Caller.User(userId, account);
        await presence.Connect(caller, new PresenceConnection(connectionId, gateway.Id, device));
        // The connection may have closed while this call was on its way, and its disconnect reached
        // the grain first: a connection registered after it closed would keep its user online.
        if (!connections.Contains(connectionId))
        {
            await presence.Disconnect(caller, connectionId);
        }
    }

    /// <summary>One connection of this gateway, as its presence grain knows it.</summary>
    public sealed record LocalConnection(string ConnectionId, string UserId, DeviceKind Device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered {Count} connections with presence again ({Reason}): {Failed} failed, {ElapsedMs} ms")]
    private partial void LogRegistered(int count, string reason, int failed, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling presence that a connection of {UserId} closed failed; retrying each second")]
    private partial void LogDisconnectDeferred(Exception exception, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up telling presence that a connection of {UserId} closed")]
    private partial void LogDisconnectGivenUp(Exception exception, string userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registering a connection of {UserId} with presence again failed; the first failure of this round")]
    private partial void LogRegisterFailed(Exception exception, string userId);
}
