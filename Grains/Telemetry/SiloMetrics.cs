using System.Diagnostics.Metrics;
using Cryb.Telemetry;

namespace Cryb.Grains.Telemetry;

/// <summary>The silo's instruments on the Cryb meter: sends, online users, PostgreSQL writes.</summary>
public sealed class SiloMetrics
{
    private readonly Counter<long> _messagesSent;
    private readonly UpDownCounter<long> _online;
    private readonly Histogram<double> _writeDuration;
    private readonly Histogram<long> _batchSize;
    private readonly Histogram<long> _appendChannels;
    private readonly UpDownCounter<long> _appendsQueued;
    private readonly Counter<long> _authorizationRefusals;
    private readonly Counter<long> _accountActions;
    private readonly Counter<long> _channelModeration;
    private readonly Counter<long> _pushes;
    private readonly Counter<long> _rateLimitCalls;
    private readonly Counter<long> _notificationsCreated;

    public SiloMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(TelemetryNames.Cryb);
        _messagesSent = meter.CreateCounter<long>("cryb.messages.sent", "{message}", "Messages stored and acknowledged");
        _notificationsCreated = meter.CreateCounter<long>("cryb.notifications.created", "{notification}", "Notifications written, by kind");
        _online = meter.CreateUpDownCounter<long>("cryb.presence.online", "{user}", "Users online (the sum over silos is the cluster's)");
        _writeDuration = meter.CreateHistogram<double>("cryb.postgres.write.duration", "ms", "PostgreSQL message writes, by operation");
        _batchSize = meter.CreateHistogram<long>("cryb.postgres.batch.size", "{change}", "Changes committed by one PostgreSQL write");
        _appendChannels = meter.CreateHistogram<long>("cryb.postgres.append.channels", "{channel}", "Channels whose new messages one PostgreSQL transaction committed");
        _appendsQueued = meter.CreateUpDownCounter<long>("cryb.postgres.append.queued", "{channel}", "Channels whose new messages wait for the silo's next PostgreSQL transaction");
        _authorizationRefusals = meter.CreateCounter<long>(
            "cryb.security.client_calls.refused", "{call}", "Orleans client calls refused for their service credential, by code");
        _accountActions = meter.CreateCounter<long>(
            "cryb.security.account_actions", "{action}", "Accounts banned, unbanned or deleted, by action");
        _channelModeration = meter.CreateCounter<long>(
            "cryb.security.channel_moderation", "{action}", "Members kicked or banned from channels, by action");
        _pushes = meter.CreateCounter<long>(
            "cryb.streams.pushes", "{push}", "Batches pushed by stream owners to subscribers (one message each), by stream namespace");
        _rateLimitCalls = meter.CreateCounter<long>(
            "cryb.rate_limit.calls", "{call}", "Calls into users' rate-limit grains, by method (lease, return, take)");
        // Zero from the start: a silo that has not served a send yet still shows its series.
        _messagesSent.Add(0);
        _online.Add(0);
        foreach (var method in new[] { "lease", "return", "take" })
        {
            _rateLimitCalls.Add(0, new KeyValuePair<string, object?>("method", method));
        }
        _appendsQueued.Add(0);
    }

    public void MessagesSent(int count) => _messagesSent.Add(count);

    /// <summary>Notifications committed (with their message, reaction or request), by kind.</summary>
    public void NotificationsCreated(IEnumerable<Notifications.WrittenNotification> written)
    {
        foreach (var kind in written.GroupBy(n => n.Notification.Kind))
        {
            _notificationsCreated.Add(kind.Count(), new KeyValuePair<string, object?>("kind", kind.Key.ToString()));
        }
    }

    public void UserOnline() => _online.Add(1);

    public void UserOffline() => _online.Add(-1);

    public void AuthorizationRefused(string code) => _authorizationRefusals.Add(1, new KeyValuePair<string, object?>("code", code));

    public void AccountAction(string action) => _accountActions.Add(1, new KeyValuePair<string, object?>("action", action));

    public void ChannelModeration(string action) => _channelModeration.Add(1, new KeyValuePair<string, object?>("action", action));

    public void Pushed(string streamNamespace, int subscribers) =>
        _pushes.Add(subscribers, new KeyValuePair<string, object?>("namespace", streamNamespace));

    public void RateLimitCall(string method) => _rateLimitCalls.Add(1, new KeyValuePair<string, object?>("method", method));

    /// <summary>Channels' appends that joined (positive) or left (negative) the writer's queue.</summary>
    public void AppendsQueued(int change) => _appendsQueued.Add(change);

    /// <summary>One transaction of new messages: <paramref name="rows"/> stored, from <paramref name="channels"/> channels.</summary>
    public void Appended(TimeSpan duration, int rows, int channels)
    {
        Wrote("Append", duration, rows);
        _appendChannels.Record(channels);
    }

    public void Wrote(string operation, TimeSpan duration, int batchSize)
    {
        _writeDuration.Record(duration.TotalMilliseconds, new KeyValuePair<string, object?>("operation", operation));
        _batchSize.Record(batchSize, new KeyValuePair<string, object?>("operation", operation));
    }
}
