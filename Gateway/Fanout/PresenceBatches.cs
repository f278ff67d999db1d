using Cryb.Gateway.Hosting;
using Cryb.Gateway.Hubs;
using Cryb.Presence;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// Gathers the presence changes each connection should hear and sends them as one
/// <c>PresenceUpdated</c> frame per connection per <see cref="Interval"/>, newest per user. When
/// many users come online at once (a gateway's first seconds, a reconnect storm), everyone sharing
/// a channel with everyone makes presence quadratic: one frame per change gave a gateway 108,000
/// frames in the connect bench's first 4 s, while the connects of those seconds took up to 2 s.
/// </summary>
public sealed partial class PresenceBatches(IHubContext<ChatHub, IChatClient> hub, GatewayMetrics metrics, ILogger<PresenceBatches> logger) : BackgroundService
{
    /// <summary>
    /// How long a change may wait for others: short beside the presence grain's own coalescing of
    /// a user's changes (250 ms) and a person's notice, long enough to gather a burst.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly PendingPresence _pending = new();

    /// <summary>Queues <paramref name="change"/> for <paramref name="connectionIds"/>' next batch.</summary>
    public void Add(IEnumerable<string> connectionIds, PresenceChanged change) => _pending.Add(connectionIds, change);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The gateway is stopping, and its connections with it: nobody is left to tell.
        }
    }

    /// <summary>Sends every connection its gathered changes; a connection that closed meanwhile is skipped by SignalR.</summary>
    private async Task FlushAsync()
    {
        foreach (var batch in _pending.TakeAll())
        {
            try
            {
                // One frame, serialized once, to every connection of the batch. An array, not a
                // list: MessagePack cannot write the compiler's read-only list of a collection
                // expression, and the failure stopped the gateway.
                await hub.Clients.Clients(batch.ConnectionIds).PresenceUpdated(batch.Changes.Select(change => change.Presence).ToArray());
            }
            catch (Exception ex)
            {
                // A batch that cannot be sent is lost (clients read presence again when they
                // reconnect); the loop, and every later batch, must go on.
                LogBatchFailed(ex, batch.ConnectionIds.Count);
                continue;
            }

            foreach (var change in batch.Changes)
            {
                metrics.Delivered("PresenceUpdated", batch.ConnectionIds.Count, change.CommittedAt);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A presence batch for {Connections} connections could not be sent")]
    private partial void LogBatchFailed(Exception exception, int connections);
}
