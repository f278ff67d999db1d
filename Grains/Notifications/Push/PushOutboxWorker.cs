using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cryb.Grains.Notifications.Push;

/// <summary>
/// Works the push outbox on every silo (docs/notifications.md, Web Push): claims a batch of due rows
/// (<see cref="PushOutbox"/>), asks each user's presence grain whether they are away, pushes what is
/// to be pushed, and writes what became of every row in the batch's transaction, committed once.
/// Silos share the work through the rows' locks; a silo that dies mid-batch rolls back with its
/// connection, and another sends the rows again: at least once per subscription.
/// </summary>
public sealed partial class PushOutboxWorker(
    PushOutbox outbox,
    PushSender sender,
    IGrainFactory grains,
    SiloLocalToken siloToken,
    IOptions<PushOptions> options,
    PushMetrics metrics,
    TimeProvider time,
    ILogger<PushOutboxWorker> logger) : BackgroundService
{
    /// <summary>After a batch failed (PostgreSQL away, the cluster starting), the wait before the next try, doubled up to this.</summary>
    private static readonly TimeSpan MaxFailureWait = TimeSpan.FromSeconds(30);

    private PushOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Options.Enabled)
        {
            // Rows are kept, not dropped: a silo configured with keys later sends what is still fresh.
            LogPushOff();
            return;
        }

        var failureWait = Options.PollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var claimed = await WorkOnceAsync(stoppingToken);
                failureWait = Options.PollInterval;
                wait = claimed < Options.BatchSize ? Options.PollInterval : TimeSpan.Zero;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogBatchFailed(exception);
                wait = failureWait;
                failureWait = TimeSpan.FromTicks(Math.Min(failureWait.Ticks * 2, MaxFailureWait.Ticks));
            }

            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One batch: claim, decide, push, record, commit. Returns how many rows it claimed.</summary>
    public async Task<int> WorkOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var batch = await outbox.ClaimAsync(now, Options.BatchSize, cancellationToken);
        metrics.OutboxLag(batch.Rows.Count == 0 ? TimeSpan.Zero : now - batch.Rows[0].DueAt);
        if (batch.Rows.Count == 0)
        {
            return 0;
        }

        var awaySince = await AwaySinceAsync(batch.Rows.Select(row => row.UserId).Distinct());
        var done = new List<PushOutboxRow>();
        var later = new List<(PushOutboxRow Row, DateTimeOffset DueAt, int Attempts)>();
        var toSend = new List<PushOutboxRow>();
        foreach (var row in batch.Rows)
        {
            if (row.Notification is null || row.P256dh is null || row.Auth is null)
            {
                metrics.Skipped("gone"); // unsubscribed, moved to another user, or the notification pruned
                done.Add(row);
            }
            else if (now - row.Notification.CreatedAt >= Options.MaxAge)
            {
                GiveUp(row, "older than Push:MaxAge");
                done.Add(row);
            }
            else if (awaySince[row.UserId] is not { } away)
            {
                metrics.Skipped("connected"); // the NotificationCreated event reached them
                done.Add(row);
            }
            else if (away + Options.AwayAfter > now)
            {
                later.Add((row, away + Options.AwayAfter, row.Attempts));
            }
            else
            {
                toSend.Add(row);
            }
        }

        var results = new PushResult[toSend.Count];
        await Parallel.ForAsync(0, toSend.Count, new ParallelOptions { MaxDegreeOfParallelism = Options.Concurrency, CancellationToken = cancellationToken },
            async (i, token) => results[i] = await sender.SendAsync(toSend[i].Endpoint, toSend[i].P256dh!, toSend[i].Auth!, toSend[i].Notification!, token));

        var gone = new HashSet<string>(StringComparer.Ordinal);
        var sentAt = time.GetUtcNow();
        for (var i = 0; i < toSend.Count; i++)
        {
            var row = toSend[i];
            switch (results[i])
            {
                case PushResult.Delivered:
                    metrics.Sent(sentAt - row.Notification!.CreatedAt);
                    done.Add(row);
                    break;
                case PushResult.Gone(var status):
                    metrics.Failed(PushMetrics.Reasons.Gone);
                    if (gone.Add(row.Endpoint))
                    {
                        metrics.SubscriptionRemoved();
                        LogSubscriptionGone(row.UserId, (int)status);
                    }

                    done.Add(row);
                    break;
                case PushResult.Retry(var reason, var retryAfter):
                    metrics.Failed(reason);
                    var attempts = row.Attempts + 1;
                    if (attempts >= Options.MaxAttempts)
                    {
                        GiveUp(row, $"{attempts} attempts, the last {reason}");
                        done.Add(row);
                    }
                    else
                    {
                        metrics.Retried();
                        later.Add((row, sentAt + RetryWait(Options, attempts, retryAfter), attempts));
                    }

                    break;
                case PushResult.Rejected(var status, var body):
                    metrics.Failed(PushMetrics.Reasons.Rejected);
                    LogRejected(row.UserId, row.NotificationId, (int)status, body);
                    done.Add(row);
                    break;
            }
        }

        await batch.DeleteAsync(done.Where(row => !gone.Contains(row.Endpoint)).ToArray(), cancellationToken);
        await batch.RescheduleAsync(later, cancellationToken);
        await batch.RemoveSubscriptionsAsync(gone, cancellationToken);
        await batch.CommitAsync(cancellationToken);
        return batch.Rows.Count;
    }

    /// <summary>
    /// The wait before attempt <paramref name="attempts"/> + 1: exponential from
    /// <see cref="PushOptions.RetryBase"/> with jitter (half to all of it, so silos that failed
    /// together do not retry together), capped at <see cref="PushOptions.RetryMax"/>, and never
    /// shorter than the push service's <c>Retry-After</c>.
    /// </summary>
    public static TimeSpan RetryWait(PushOptions options, int attempts, TimeSpan? retryAfter)
    {
        var exponential = Math.Min(options.RetryBase.Ticks * Math.Pow(2, attempts - 1), options.RetryMax.Ticks);
        var backoff = TimeSpan.FromTicks((long)(exponential * (0.5 + Random.Shared.NextDouble() / 2)));
        return retryAfter is { } asked && asked > backoff ? asked : backoff;
    }

    /// <summary>Each user's away time: one call to this silo's <see cref="PushPresenceGrain"/>, which asks every user's presence at once.</summary>
    private Task<Dictionary<string, DateTimeOffset?>> AwaySinceAsync(IEnumerable<string> userIds) =>
        grains.GetGrain<IPushPresenceGrain>(0).AwaySince(siloToken.Value, userIds.ToArray());

    private void GiveUp(PushOutboxRow row, string why)
    {
        metrics.Failed(PushMetrics.Reasons.GaveUp);
        LogGaveUp(row.UserId, row.NotificationId, why);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web Push is off: no VAPID keys (Push:Subject, Push:PublicKey, Push:PrivateKey). This silo leaves the push outbox alone; its rows wait for a silo with keys.")]
    private partial void LogPushOff();

    [LoggerMessage(Level = LogLevel.Warning, Message = "A push outbox batch failed; its rows are due again")]
    private partial void LogBatchFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed a Web Push subscription of {UserId}: its push service answered {Status}")]
    private partial void LogSubscriptionGone(string userId, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push of notification {NotificationId} to {UserId} refused with {Status}: {Body}")]
    private partial void LogRejected(string userId, Guid notificationId, int status, string? body);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up the push of notification {NotificationId} to {UserId}: {Why}")]
    private partial void LogGaveUp(string userId, Guid notificationId, string why);
}
