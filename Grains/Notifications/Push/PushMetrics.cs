using System.Diagnostics.Metrics;
using Cryb.Telemetry;

namespace Cryb.Grains.Notifications.Push;

/// <summary>The push outbox's instruments on the Cryb meter (docs/operations.md lists them).</summary>
public sealed class PushMetrics
{
    /// <summary>Why a push was not delivered, as the <c>reason</c> tag of <c>cryb.push.failed</c>.</summary>
    public static class Reasons
    {
        /// <summary>429: the push service asked us to slow down.</summary>
        public const string Throttled = "throttled";

        /// <summary>5xx.</summary>
        public const string ServerError = "server_error";

        /// <summary>No answer within <see cref="PushOptions.RequestTimeout"/>.</summary>
        public const string Timeout = "timeout";

        /// <summary>No connection to the push service.</summary>
        public const string Network = "network";

        /// <summary>404 or 410: the subscription is gone.</summary>
        public const string Gone = "gone";

        /// <summary>Another 4xx: the push service refused this push for good.</summary>
        public const string Rejected = "rejected";

        /// <summary>Retried <see cref="PushOptions.MaxAttempts"/> times, or older than <see cref="PushOptions.MaxAge"/>.</summary>
        public const string GaveUp = "gave_up";
    }

    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _subscriptionsRemoved;
    private readonly Histogram<double> _delay;
    private double _oldestDueSeconds;

    public PushMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(TelemetryNames.Cryb);
        _sent = meter.CreateCounter<long>("cryb.push.sent", "{push}", "Web Pushes the push service accepted");
        _failed = meter.CreateCounter<long>("cryb.push.failed", "{push}", "Web Push attempts that failed, by reason (retried or not)");
        _retried = meter.CreateCounter<long>("cryb.push.retried", "{push}", "Web Pushes put back in the outbox to be tried again");
        _skipped = meter.CreateCounter<long>("cryb.push.skipped", "{push}", "Outbox rows dropped without a push: the user was connected, or the subscription or notification was gone");
        _subscriptionsRemoved = meter.CreateCounter<long>("cryb.push.subscriptions_removed", "{subscription}", "Subscriptions deleted after their push service answered 404 or 410");
        _delay = meter.CreateHistogram<double>("cryb.push.delay", "s", "From a notification's creation to its push's acceptance");
        meter.CreateObservableGauge("cryb.push.outbox.lag", () => Volatile.Read(ref _oldestDueSeconds), "s",
            "How long the oldest due outbox row this silo saw had been due (0: none waiting)");
        _sent.Add(0);
        _subscriptionsRemoved.Add(0);
    }

    public void Sent(TimeSpan sinceCreated)
    {
        _sent.Add(1);
        _delay.Record(Math.Max(0, sinceCreated.TotalSeconds));
    }

    public void Failed(string reason) => _failed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Retried() => _retried.Add(1);

    public void Skipped(string why) => _skipped.Add(1, new KeyValuePair<string, object?>("why", why));

    public void SubscriptionRemoved() => _subscriptionsRemoved.Add(1);

    /// <summary>The oldest row of the last batch had been due for this long (zero for an empty batch).</summary>
    public void OutboxLag(TimeSpan lag) => Volatile.Write(ref _oldestDueSeconds, Math.Max(0, lag.TotalSeconds));
}
