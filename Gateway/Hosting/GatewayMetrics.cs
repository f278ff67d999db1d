using System.Diagnostics.Metrics;
using Cryb.Gateway.Fanout;
using Cryb.Gateway.Presence;
using Cryb.Limits;
using Cryb.Streaming;
using Cryb.Telemetry;

namespace Cryb.Gateway.Hosting;

/// <summary>
/// The gateway's instruments on the Cryb meter. Every series carries the gateway id, so a
/// dashboard can tell gateways apart and sum them. The parts it measures report to it (the fan-out
/// its deliveries, fills and subscriptions), so it depends on none of them; it observes only the
/// connection record and the stream provider's push counts.
/// </summary>
public sealed class GatewayMetrics
{
    private static readonly string[] Streams = [StreamNames.Channel, StreamNames.User, StreamNames.Presence, StreamNames.Guild];

    private readonly KeyValuePair<string, object?> _gateway;
    private readonly Counter<long> _slowConsumers;
    private readonly Counter<long> _coalesced;
    private readonly Counter<long> _protocolErrors;
    private readonly Counter<long> _connects;
    private readonly Counter<long> _disconnects;
    private readonly Counter<long> _invocations;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _delivered;
    private readonly Histogram<double> _fanoutLatency;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _resubscriptions;
    private readonly Counter<long> _gapFills;
    private readonly Counter<long> _gapFilledChanges;
    private readonly Counter<long> _presenceRegistrations;

    /// <summary>Subscriptions held per stream namespace, as <see cref="SubscriptionsChanged"/> reports them.</summary>
    private readonly int[] _subscriptions = new int[Streams.Length];

    public GatewayMetrics(IMeterFactory meters, GatewayIdentity gateway, ConnectionRegistry connections, IClusterClient cluster)
    {
        var meter = meters.Create(TelemetryNames.Cryb);
        _gateway = new("gateway", gateway.Id);
        _connects = meter.CreateCounter<long>("cryb.gateway.connects", "{connection}", "Connections opened");
        _disconnects = meter.CreateCounter<long>("cryb.gateway.disconnects", "{connection}", "Connections closed");
        _invocations = meter.CreateCounter<long>("cryb.hub.invocations", "{call}", "Hub method calls by method and outcome (ok, refused, failed)");
        _refusals = meter.CreateCounter<long>("cryb.refusals", "{call}", "Refused hub calls by error code");
        _delivered = meter.CreateCounter<long>("cryb.events.delivered", "{event}", "Events sent to client connections, by event");
        _rateLimited = meter.CreateCounter<long>("cryb.security.rate_limited", "{call}", "Hub calls over the user's rate limit, by limit (typing ones are dropped, the rest refused)");
        _fanoutLatency = meter.CreateHistogram<double>("cryb.fanout.latency", "ms", "From the grain's commit to this gateway's send");
        meter.CreateObservableUpDownCounter("cryb.gateway.connections", () => new Measurement<int>(connections.Count, _gateway), "{connection}", "Open connections");
        meter.CreateObservableGauge("cryb.gateway.stream_subscriptions", () => Streams.Select((stream, i) =>
            new Measurement<int>(Volatile.Read(ref _subscriptions[i]), _gateway, new("stream", stream))), "{subscription}", "Stream subscriptions this gateway holds");
        var pushes = new Lazy<PushStreamProvider>(() => (PushStreamProvider)cluster.GetStreamProvider(StreamNames.Provider));
        meter.CreateObservableCounter("cryb.gateway.pushes", () => new[]
        {
            new Measurement<long>(pushes.Value.ReorderedPushes, _gateway, new("outcome", "reordered")),
            new Measurement<long>(pushes.Value.LostPushes, _gateway, new("outcome", "lost")),
        }, "{push}", "Pushes from stream owners that arrived out of order and waited (reordered), or never arrived (lost, then filled)");

        _resubscriptions = meter.CreateCounter<long>("cryb.gateway.stream_resubscriptions", "{subscription}", "Stream subscriptions the cluster had dropped and this gateway made again, by stream (channel, user, presence)");
        _presenceRegistrations = meter.CreateCounter<long>("cryb.gateway.presence_registrations", "{connection}",
            "Connections registered with their presence grain again, by reason (silo_lost, lease_lost) and outcome (ok, failed)");
        _gapFills = meter.CreateCounter<long>("cryb.gateway.gap_fills", "{fill}", "Fetches of missed channel changes from the channel grain, by trigger (gap, catch_up)");
        _gapFilledChanges = meter.CreateCounter<long>("cryb.gateway.gap_filled_changes", "{change}", "Channel changes delivered from a fill rather than from the stream");
        _slowConsumers = meter.CreateCounter<long>("cryb.gateway.slow_consumers.disconnected", "{connection}", "Connections closed as slow_consumer, by trigger (buffer_full, stalled)");
        _coalesced = meter.CreateCounter<long>("cryb.gateway.coalesced_events", "{event}", "Events written together with others in one write, to connections that fell behind");
        _protocolErrors = meter.CreateCounter<long>("cryb.gateway.protocol_errors", "{frame}", "Frames SignalR could not dispatch, by kind (unknown_method, bad_arguments, malformed_frame)");
        // Zero from the start, so alerts and dashboards see the series before the first incident.
        foreach (var trigger in Enum.GetValues<SlowConsumerTrigger>())
        {
            _slowConsumers.Add(0, _gateway, new("trigger", TagOf(trigger)));
        }

        foreach (var kind in ProtocolErrorKinds.All)
        {
            _protocolErrors.Add(0, _gateway, new("kind", kind));
        }

        foreach (var stream in Streams)
        {
            _resubscriptions.Add(0, _gateway, new("stream", stream));
        }

        _gapFilledChanges.Add(0, _gateway);
        _coalesced.Add(0, _gateway);
    }

    public void Connected() => _connects.Add(1, _gateway);

    public void Disconnected() => _disconnects.Add(1, _gateway);

    public void Invoked(string method, string outcome) =>
        _invocations.Add(1, _gateway, new("method", method), new("outcome", outcome));

    public void Refused(string code) => _refusals.Add(1, _gateway, new("code", code));

    public void RateLimited(RateLimitKind kind) => _rateLimited.Add(1, _gateway, new("limit", kind.ToString().ToLowerInvariant()));

    public void Delivered(string eventName, int connections, DateTimeOffset? committedAt)
    {
        _delivered.Add(connections, _gateway, new("event", eventName));
        if (committedAt is { } at)
        {
            _fanoutLatency.Record((DateTimeOffset.UtcNow - at).TotalMilliseconds, _gateway, new("event", eventName));
        }
    }

    /// <summary>The fan-out subscribed to (+1) or unsubscribed from (-1) a stream of the namespace <paramref name="stream"/>.</summary>
    public void SubscriptionsChanged(string stream, int change) => Interlocked.Add(ref _subscriptions[Array.IndexOf(Streams, stream)], change);

    public void Resubscribed(string stream, int subscriptions) => _resubscriptions.Add(subscriptions, _gateway, new("stream", stream));

    public void PresenceRegistered(string reason, int registered, int failed)
    {
        _presenceRegistrations.Add(registered, _gateway, new("reason", reason), new("outcome", "ok"));
        _presenceRegistrations.Add(failed, _gateway, new("reason", reason), new("outcome", "failed"));
    }

    public void GapFilled(string trigger, int changes)
    {
        _gapFills.Add(1, _gateway, new("trigger", trigger));
        _gapFilledChanges.Add(changes, _gateway);
    }

    public void SlowConsumerDisconnected(SlowConsumerTrigger trigger) =>
        _slowConsumers.Add(1, _gateway, new("trigger", TagOf(trigger)));

    public void Coalesced(int events) => _coalesced.Add(events, _gateway);

    public void ProtocolError(string kind) => _protocolErrors.Add(1, _gateway, new("kind", kind));

    private static string TagOf(SlowConsumerTrigger trigger) => trigger switch
    {
        SlowConsumerTrigger.BufferFull => "buffer_full",
        SlowConsumerTrigger.Stalled => "stalled",
        _ => trigger.ToString(),
    };
}
