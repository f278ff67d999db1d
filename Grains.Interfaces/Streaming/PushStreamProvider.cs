using System.Collections.Concurrent;
using Cryb.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Cryb.Streaming;

/// <summary>
/// Cryb's stream provider: each stream's events are pushed by the grain that owns the stream
/// (<see cref="StreamOwners"/>) straight to the Orleans clients that subscribe, one message per
/// subscriber per published batch. Orleans' own providers either queue and poll (memory streams:
/// an agent pulls each queue every period, which showed as delivery latency and as idle CPU) or
/// are gone (Simple Message Streams, removed in Orleans 7); this is the push path the fan-out needs.
/// </summary>
/// <remarks>
/// In a grain, <c>OnNextAsync</c> and <c>OnNextBatchAsync</c> publish: from the owner without any
/// call, from another grain with one call to the owner. On a client, <c>SubscribeAsync</c>
/// registers the client's one <see cref="IStreamConsumer"/> with the owner (soft state under a
/// lease, nothing durable), and <c>GetAllSubscriptionHandles</c> renews that registration: an empty
/// answer means the owner no longer holds it (a new activation, or the lease ran out), and the
/// caller subscribes again and catches up from the truth. Delivery is at most once, in publish
/// order per stream; subscribers fill gaps by seq. Not rewindable.
/// </remarks>
public sealed partial class PushStreamProvider(string name, IServiceProvider services, PushStreamOptions options, ILogger<PushStreamProvider> logger) : IStreamProvider
{
    private long _reorderedPushes;
    private long _lostPushes;

    private readonly ConcurrentDictionary<StreamId, LocalStream> _local = new();
    private readonly Lock _consumerLock = new();
    private IGrainContextAccessor? _contexts;
    private IGrainFactory? _grains;
    private IStreamConsumer? _consumer;

    /// <summary>Orleans holds observer objects weakly: this keeps the consumer alive with the provider.</summary>
    private Consumer? _consumerObject;

    public string Name => name;

    public bool IsRewindable => false;

    // Resolved at first use: the provider is built while the Orleans client or silo still is.
    private IGrainFactory Grains => _grains ??= services.GetRequiredService<IGrainFactory>();

    private IGrainContextAccessor? Contexts => _contexts ??= services.GetService<IGrainContextAccessor>();

    /// <summary>Pushes that overtook an earlier one and waited for it (this client, since start).</summary>
    public long ReorderedPushes => Interlocked.Read(ref _reorderedPushes);

    /// <summary>Pushes given up for lost after <see cref="PushStreamOptions.ReorderWait"/> (this client, since start).</summary>
    public long LostPushes => Interlocked.Read(ref _lostPushes);

    /// <summary>
    /// An owner holding one of this client's subscriptions deactivated (the stream's handles stay,
    /// but nothing is pushed to them until they subscribe again): renew them now, and catch up.
    /// </summary>
    public event Action<StreamId>? OwnerLeft;

    public IAsyncStream<T> GetStream<T>(StreamId streamId) => new PushStream<T>(streamId, this);

    internal IStreamOwnerExtension OwnerOf(StreamId streamId) => StreamOwners.Of(Grains, streamId);

    /// <summary>Publishes in the owner's activation without a call, from anywhere else through one call to the owner.</summary>
    internal Task PublishAsync(StreamId streamId, IStreamOwnerExtension owner, IReadOnlyList<object> items)
    {
        if (items.Count == 0)
        {
            return Task.CompletedTask;
        }

        var batch = new StreamBatch(items);
        return Contexts?.GrainContext is { } context && context.GrainId == owner.GetGrainId()
            ? LocalOwner(context).Publish(streamId, batch)
            : owner.Publish(streamId, batch);
    }

    internal async Task<StreamSubscriptionHandle<T>> SubscribeAsync<T>(StreamId streamId, IAsyncObserver<T> observer)
    {
        var credential = RequireCredential();
        var handle = new PushSubscriptionHandle<T>(this, streamId, observer, logger);
        while (true)
        {
            var local = _local.GetOrAdd(streamId, static id => new LocalStream(id));
            Task registration;
            lock (local)
            {
                if (local.Retired)
                {
                    continue; // its last handle left while we looked it up: take a fresh one
                }

                // Copy on write: deliveries read the handles without the lock.
                local.Handles = [.. local.Handles, handle];
                if (local.Registration is null || local.Registration.IsFaulted)
                {
                    local.RegistrationId = Guid.NewGuid();
                    local.Order.Reset(local.RegistrationId);
                    local.Registration = OwnerOf(streamId).Subscribe(credential, streamId, Registration(local.RegistrationId));
                }

                registration = local.Registration;
            }

            try
            {
                await registration;
            }
            catch
            {
                await UnsubscribeAsync(handle);
                throw;
            }

            return handle;
        }
    }

    /// <summary>The handles of this stream, if the owner still holds this client's subscription (which renews it).</summary>
    internal async Task<IList<StreamSubscriptionHandle<T>>> GetHandlesAsync<T>(StreamId streamId)
    {
        if (!_local.TryGetValue(streamId, out var local))
        {
            return [];
        }

        Task? registration;
        Guid registrationId;
        IPushedBatchTarget[] handles;
        lock (local)
        {
            (registration, registrationId, handles) = (local.Registration, local.RegistrationId, local.Handles);
        }

        if (registration is null || handles.Length == 0)
        {
            return [];
        }

        await registration;
        var held = await OwnerOf(streamId).Renew(RequireCredential(), streamId, Registration(registrationId));
        return held ? handles.OfType<StreamSubscriptionHandle<T>>().ToList() : [];
    }

    internal async Task UnsubscribeAsync(IPushedBatchTarget handle)
    {
        var streamId = handle.StreamId;
        if (!_local.TryGetValue(streamId, out var local))
        {
            return;
        }

        Guid registrationId;
        lock (local)
        {
            if (!local.Handles.Contains(handle))
            {
                return;
            }

            local.Handles = Array.FindAll(local.Handles, other => other != handle);
            if (local.Handles.Length > 0 || local.Registration is null)
            {
                return;
            }

            local.Retired = true;
            local.GapTimer?.Dispose();
            _local.TryRemove(KeyValuePair.Create(streamId, local));
            registrationId = local.RegistrationId;
        }

        try
        {
            await OwnerOf(streamId).Unsubscribe(RequireCredential(), streamId, Registration(registrationId));
        }
        catch (Exception ex)
        {
            // Harmless: the owner drops the subscription when its lease runs out, and pushes to this
            // client meanwhile find no handle here.
            LogUnsubscribeFailed(ex, streamId);
        }
    }

    /// <summary>A push for one of this client's streams: back in order, then to each of its handles.</summary>
    private void Deliver(LocalStream local, Guid subscriptionId, long number, StreamBatch batch)
    {
        var ready = new List<StreamBatch>(1);
        List<IPushedBatchTarget>? toStart;
        lock (local)
        {
            local.Order.Add(subscriptionId, number, batch, ready);
            if (ready.Count == 0)
            {
                Interlocked.Increment(ref _reorderedPushes);
            }

            toStart = QueueLocked(local, ready);
        }

        StartAll(toStart);
    }

    /// <summary>The pushes an early one waited for did not come in time: they were lost on the way.</summary>
    private void OnReorderWaitOver(LocalStream local, StreamId streamId)
    {
        var ready = new List<StreamBatch>();
        List<IPushedBatchTarget>? toStart;
        long lost;
        lock (local)
        {
            local.GapTimer?.Dispose();
            local.GapTimer = null;
            lost = local.Order.SkipMissing(ready);
            toStart = QueueLocked(local, ready);
        }

        if (lost > 0)
        {
            Interlocked.Add(ref _lostPushes, lost);
            LogPushesLost(streamId, lost, options.ReorderWait);
        }

        StartAll(toStart);
    }

    /// <summary>
    /// Queues <paramref name="ready"/> on every handle under the stream's lock, so two threads (a
    /// push and the reorder timer) never interleave batches; starting the handles is left to the
    /// caller, outside the lock, since it runs subscriber code.
    /// </summary>
    private List<IPushedBatchTarget>? QueueLocked(LocalStream local, List<StreamBatch> ready)
    {
        List<IPushedBatchTarget>? toStart = null;
        foreach (var batch in ready)
        {
            foreach (var handle in local.Handles)
            {
                if (handle.Queue(batch.Items))
                {
                    (toStart ??= []).Add(handle);
                }
            }
        }

        if (local.Order.Waiting)
        {
            local.GapTimer ??= TimeProvider.System.CreateTimer(
                static state => ((Action)state!)(), (Action)(() => OnReorderWaitOver(local, local.StreamId)), options.ReorderWait, Timeout.InfiniteTimeSpan);
        }
        else if (local.GapTimer is not null)
        {
            local.GapTimer.Dispose();
            local.GapTimer = null;
        }

        return toStart;
    }

    private static void StartAll(List<IPushedBatchTarget>? handles)
    {
        foreach (var handle in handles ?? [])
        {
            handle.Start();
        }
    }

    private StreamSubscription Registration(Guid id) => new(ConsumerReference(), id, options.Lease);

    private ServiceCredential RequireCredential() =>
        options.Credential ?? throw new InvalidOperationException(
            $"Subscribing to stream provider '{name}' needs PushStreamOptions.Credential: the gateway's service account.");

    private IStreamConsumer ConsumerReference()
    {
        lock (_consumerLock)
        {
            if (_consumer is null)
            {
                _consumerObject = new Consumer(this);
                _consumer = Grains.CreateObjectReference<IStreamConsumer>(_consumerObject);
            }

            return _consumer;
        }
    }

    private static IStreamOwnerExtension LocalOwner(IGrainContext context)
    {
        if (context.GetComponent<IStreamOwnerExtension>() is { } installed)
        {
            return installed;
        }

        // The same instance a subscriber's call installs: Orleans looks extensions up by interface.
        var created = (IStreamOwnerExtension)context.ActivationServices.GetRequiredKeyedService<IGrainExtension>(typeof(IStreamOwnerExtension));
        context.SetComponent(created);
        return created;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream {StreamId}: {Count} pushes did not arrive within {Wait} of a later one; lost on the way, the subscriber fills the gap")]
    private partial void LogPushesLost(StreamId streamId, long count, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unsubscribing from {StreamId} failed; the owner drops it when its lease runs out")]
    private partial void LogUnsubscribeFailed(Exception exception, StreamId streamId);

    /// <summary>This client's handles of one stream, its registration with the owner, and its pushes' order.</summary>
    private sealed class LocalStream(StreamId streamId)
    {
        public StreamId StreamId { get; } = streamId;
        public IPushedBatchTarget[] Handles { get; set; } = [];
        public PushReorderBuffer Order { get; } = new();
        public ITimer? GapTimer { get; set; }
        public Guid RegistrationId { get; set; }
        public Task? Registration { get; set; }
        public bool Retired { get; set; }
    }

    /// <summary>The client's one consumer: sorts each pushed batch to its stream's handles, never waiting on them.</summary>
    private sealed class Consumer(PushStreamProvider provider) : IStreamConsumer
    {
        public Task Deliver(StreamId streamId, Guid subscriptionId, long number, StreamBatch batch)
        {
            if (provider._local.TryGetValue(streamId, out var local))
            {
                provider.Deliver(local, subscriptionId, number, batch);
            }

            return Task.CompletedTask;
        }

        public Task OwnerLeft(StreamId streamId, Guid subscriptionId)
        {
            if (provider._local.TryGetValue(streamId, out var local) && local.RegistrationId == subscriptionId)
            {
                provider.OwnerLeft?.Invoke(streamId);
            }

            return Task.CompletedTask;
        }
    }
}
