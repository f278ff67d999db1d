using Cryb.Grains.Telemetry;
using Cryb.Identity;
using Cryb.Streaming;
using Microsoft.Extensions.Logging;

namespace Cryb.Grains.Streaming;

/// <summary>
/// The subscriber table of the grain that owns a push stream, and the push itself: each published
/// batch goes to every subscriber as one one-way message. Runs on the owner's activation (one thread
/// at a time), so it needs no locks; its calls interleave with the owner's, since they touch only
/// this table.
/// </summary>
internal sealed partial class StreamOwnerExtension : IStreamOwnerExtension
{
    /// <summary>Bounds on a requested lease: long enough to survive a slow renewal, short enough that a dead client's pushes stop.</summary>
    private static readonly TimeSpan MinLease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxLease = TimeSpan.FromHours(1);

    private readonly Dictionary<StreamId, OwnedStream> _streams = [];
    private readonly IGrainContext _owner;
    private readonly TimeProvider _time;
    private readonly SiloMetrics _metrics;
    private readonly ILogger<StreamOwnerExtension> _logger;

    public StreamOwnerExtension(IGrainContext owner, TimeProvider time, SiloMetrics metrics, ILogger<StreamOwnerExtension> logger)
    {
        _owner = owner;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        // A graceful deactivation (a rolling restart) tells the subscribers at once, so they
        // subscribe to the next activation without waiting for their next check.
        _ = owner.Deactivated.ContinueWith(_ => TellSubscribersWeLeft(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    public Task Subscribe(ServiceCredential subscriber, StreamId streamId, StreamSubscription subscription)
    {
        if (!_streams.TryGetValue(streamId, out var stream))
        {
            RequireOwned(streamId);
            _streams[streamId] = stream = new OwnedStream(streamId.GetNamespace() ?? "");
        }

        stream.Subscribers[subscription.Consumer.GetGrainId()] = new Subscriber(subscription.Consumer, subscription.Id, ExpiryOf(subscription));
        LogSubscribed(streamId, subscriber.Name);
        return Task.CompletedTask;
    }

    public Task<bool> Renew(ServiceCredential subscriber, StreamId streamId, StreamSubscription subscription)
    {
        var consumer = subscription.Consumer.GetGrainId();
        if (!_streams.TryGetValue(streamId, out var stream)
            || !stream.Subscribers.TryGetValue(consumer, out var current)
            || current.Id != subscription.Id)
        {
            return Task.FromResult(false);
        }

        current.ExpiresAt = ExpiryOf(subscription);
        return Task.FromResult(true);
    }

    public Task Unsubscribe(ServiceCredential subscriber, StreamId streamId, StreamSubscription subscription)
    {
        var consumer = subscription.Consumer.GetGrainId();
        if (_streams.TryGetValue(streamId, out var stream)
            && stream.Subscribers.TryGetValue(consumer, out var current)
            && current.Id == subscription.Id)
        {
            Remove(streamId, stream, consumer);
        }

        return Task.CompletedTask;
    }

    public Task Publish(StreamId streamId, StreamBatch batch)
    {
        if (!_streams.TryGetValue(streamId, out var stream))
        {
            return Task.CompletedTask;
        }

        var now = _time.GetUtcNow();
        List<GrainId>? expired = null;
        var pushed = 0;
        foreach (var (consumerId, subscriber) in stream.Subscribers)
        {
            if (subscriber.ExpiresAt <= now)
            {
                (expired ??= []).Add(consumerId);
                continue;
            }

            try
            {
                // One-way: completes once the message is on its way; the subscriber's gap fill
                // repairs a push that never arrives.
                _ = subscriber.Consumer.Deliver(streamId, subscriber.Id, ++subscriber.Pushed, batch);
                pushed++;
            }
            catch (Exception ex)
            {
                LogPushFailed(ex, streamId, consumerId);
            }
        }

        foreach (var consumerId in expired ?? [])
        {
            LogExpired(streamId, consumerId);
            Remove(streamId, stream, consumerId);
        }

        _metrics.Pushed(stream.Namespace, pushed);
        return Task.CompletedTask;
    }

    /// <summary>After the activation is gone, so nothing changes the table any more.</summary>
    private void TellSubscribersWeLeft()
    {
        foreach (var (streamId, stream) in _streams)
        {
            foreach (var (consumerId, subscriber) in stream.Subscribers)
            {
                try
                {
                    _ = subscriber.Consumer.OwnerLeft(streamId, subscriber.Id);
                }
                catch (Exception ex)
                {
                    LogPushFailed(ex, streamId, consumerId);
                }
            }
        }
    }

    private DateTimeOffset ExpiryOf(StreamSubscription subscription) =>
        _time.GetUtcNow() + TimeSpan.FromTicks(Math.Clamp(subscription.Lease.Ticks, MinLease.Ticks, MaxLease.Ticks));

    private void Remove(StreamId streamId, OwnedStream stream, GrainId consumerId)
    {
        stream.Subscribers.Remove(consumerId);
        if (stream.Subscribers.Count == 0)
        {
            _streams.Remove(streamId);
        }
    }

    /// <summary>A grain holds only its own streams' subscribers: a channel grain, its channel's stream.</summary>
    private void RequireOwned(StreamId streamId)
    {
        if (!StreamOwners.InterfaceOf(streamId).IsInstanceOfType(_owner.GrainInstance) || streamId.GetKeyAsString() != _owner.GrainId.Key.ToString())
        {
            throw new ArgumentException($"{_owner.GrainId} does not own stream {streamId}.", nameof(streamId));
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Subscriber} subscribed to {StreamId}")]
    private partial void LogSubscribed(StreamId streamId, string subscriber);

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscription of {Consumer} to {StreamId} expired: not renewed in time")]
    private partial void LogExpired(StreamId streamId, GrainId consumer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pushing to {Consumer} on {StreamId} failed")]
    private partial void LogPushFailed(Exception exception, StreamId streamId, GrainId consumer);

    private sealed class Subscriber(IStreamConsumer consumer, Guid id, DateTimeOffset expiresAt)
    {
        public IStreamConsumer Consumer { get; } = consumer;
        public Guid Id { get; } = id;
        public DateTimeOffset ExpiresAt { get; set; } = expiresAt;

        /// <summary>Pushes so far under this subscription: the consumer orders them by this number.</summary>
        public long Pushed { get; set; }
    }

    private sealed class OwnedStream(string streamNamespace)
    {
        public string Namespace { get; } = streamNamespace;
        public Dictionary<GrainId, Subscriber> Subscribers { get; } = [];
    }
}
