using Cryb.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// Keeps this gateway's stream subscriptions alive without any client reconnecting: checks them
/// every <see cref="SubscriptionHealthOptions.CheckInterval"/>, and shortly after each change in the
/// Orleans client's silo connections (a silo died, left or joined), when every channel also catches
/// up on the events that may have died with a silo.
/// </summary>
public sealed partial class SubscriptionHealth(
    ChatFanout fanout,
    ClusterConnectionChanges changes,
    IOptions<SubscriptionHealthOptions> options,
    TimeProvider time,
    ILogger<SubscriptionHealth> logger) : BackgroundService
{
    /// <summary>
    /// After a change, check once things settle (the owners of a lost silo come back on other silos
    /// only once it is declared dead), and again later for a silo that took longer to come back. A
    /// new change starts the schedule over.
    /// </summary>
    private static readonly TimeSpan[] AfterChange = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15)];

    /// <summary>
    /// A check that could not reach some stream's owner is tried again this soon, catching up:
    /// right after silos restart, calls queued on a dead connection wait out the whole grain call
    /// timeout, and waiting for the periodic check after that would leave channels silent.
    /// </summary>
    private static readonly TimeSpan AfterFailedCheck = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.CheckInterval;
        var nextPeriodic = time.GetUtcNow() + interval;
        var followUps = new Queue<DateTimeOffset>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = followUps.TryPeek(out var followUp) && followUp < nextPeriodic ? followUp : nextPeriodic;
            try
            {
                if (await changes.WaitAsync(next - time.GetUtcNow(), time, stoppingToken))
                {
                    var changedAt = time.GetUtcNow();
                    followUps = new Queue<DateTimeOffset>(AfterChange.Select(delay => changedAt + delay));
                    continue;
                }

                var now = time.GetUtcNow();
                var checkedAll = true;
                if (followUps.TryPeek(out followUp) && followUp <= now)
                {
                    followUps.Dequeue();
                    checkedAll = await fanout.CheckSubscriptionsAsync(catchUpAll: true, stoppingToken);
                }
                else if (nextPeriodic <= now)
                {
                    nextPeriodic = now + interval;
                    checkedAll = await fanout.CheckSubscriptionsAsync(catchUpAll: false, stoppingToken);
                }

                if (!checkedAll)
                {
                    var retryAt = time.GetUtcNow() + AfterFailedCheck;
                    followUps = new Queue<DateTimeOffset>(followUps.Where(at => at > retryAt).Prepend(retryAt));
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogCheckFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking stream subscriptions failed; the next check tries again")]
    private partial void LogCheckFailed(Exception exception);
}
