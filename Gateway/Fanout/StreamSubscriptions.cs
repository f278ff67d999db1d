using System.Collections.Concurrent;
using Orleans.Streams;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// This gateway's stream subscriptions, one per stream key whatever the number of local
/// connections: per-connection subscriptions would multiply the owners' pushes. They follow a
/// record kept elsewhere (<c>wanted</c>, read from <see cref="ConnectionRegistry"/>): after each
/// change to it, <see cref="ReconcileAsync"/> subscribes or unsubscribes the stream to match.
/// <see cref="CheckAsync"/> renews every subscription and makes again those the cluster dropped.
/// </summary>
/// <remarks>
/// A subscription lives in the memory of the stream's owner grain (<c>Cryb.Streaming</c>), under a
/// lease: when the owner's silo dies, or the lease runs out, the new activation pushes to nobody,
/// and the gateway would stay silent for that stream although every local handle still looks fine.
/// </remarks>
public sealed partial class StreamSubscriptions<TEvent>(
    IClusterClient cluster,
    string streamNamespace,
    Func<string, bool> wanted,
    Func<string, IStreamTarget<TEvent>> targetOf,
    Action<int> subscriptionsChanged,
    ILogger logger)
{
    /// <summary>Renewals in flight at once during a check: enough to check thousands of streams in seconds, few enough not to flood the silos.</summary>
    private const int CheckParallelism = 8;

    /// <summary>
    /// How long one stream's renewal or stale unsubscribe may take during a check.
    /// A call written to a connection that died under it (a silo killed while this gateway was
    /// paused, then started again on the same port) gets no answer until Orleans' 30 s response
    /// timeout, and would hold the stream's gate and the check that long; seen in the silo-failure
    /// test, where the channel stayed silent past 60 s. Given up early, the check fails and is
    /// tried again 2 s later over the client's fresh connections.
    /// </summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    /// <summary>Where the stream's events go, while this gateway is subscribed to it.</summary>
    public IStreamTarget<TEvent>? TargetOf(string key) =>
        _entries.TryGetValue(key, out var entry) && !entry.Retired ? entry.Target : null;

    /// <summary>
    /// Subscribes to the stream when <c>wanted</c> says this gateway needs it and it is not
    /// subscribed, and unsubscribes when it is no longer needed. Call it after every change to what
    /// <c>wanted</c> reads: calls for one key take turns, and the last one reads the record after
    /// every change made before it, so changes that race each other still end in the subscription
    /// the record asks for.
    /// </summary>
    public async Task ReconcileAsync(string key)
    {
        while (true)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                if (!wanted(key))
                {
                    return;
                }

                entry = _entries.GetOrAdd(key, _ => new Entry());
            }

            await entry.Gate.WaitAsync();
            try
            {
                if (entry.Retired)
                {
                    continue; // Removed while we waited: look again.
                }

                if (wanted(key))
                {
                    if (entry.Handle is null)
                    {
                        entry.Target ??= targetOf(key);
                        entry.Handle = await SubscribeAsync(key, entry.Target);
                        subscriptionsChanged(1);
                    }

                    return;
                }

                entry.Retired = true;
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
                if (entry.Handle is { } handle)
                {
                    subscriptionsChanged(-1);
                    await handle.UnsubscribeAsync();
                }

                return;
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }

    /// <summary>
    /// Renews, stream by stream, this gateway's subscription with the stream's owner, and
    /// subscribes again where the owner no longer holds it; a stream subscribed again catches up (its events meanwhile
    /// were lost), and with <paramref name="catchUpAll"/> every stream does. Returns how many
    /// subscriptions were made again, and how many streams could not be checked.
    /// </summary>
    public async Task<(int Resubscribed, int Failed)> CheckAsync(bool catchUpAll, CancellationToken cancellationToken)
    {
        var resubscribed = 0;
        var failed = 0;
        Exception? firstFailure = null;
        var entries = _entries.ToArray();
        await Parallel.ForEachAsync(
            entries,
            new ParallelOptions { MaxDegreeOfParallelism = CheckParallelism, CancellationToken = cancellationToken },
            async (pair, _) =>
            {
                try
                {
                    var (renewed, target) = await EnsureSubscribedAsync(pair.Key, pair.Value);
                    if (renewed)
                    {
                        Interlocked.Increment(ref resubscribed);
                    }

                    if (target is not null && (renewed || catchUpAll))
                    {
                        await target.CatchUpAsync();
                    }
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // The next check tries again; one stream must not stop the others' checks.
                    Interlocked.CompareExchange(ref firstFailure, ex, null);
                    Interlocked.Increment(ref failed);
                }
            });
        if (firstFailure is not null)
        {
            // Once per check, not per stream: with the cluster unreachable every stream fails alike.
            LogCheckFailed(firstFailure, failed, entries.Length, streamNamespace);
        }

        return (resubscribed, failed);
    }

    /// <summary>
    /// The owner of stream <paramref name="key"/> told us it deactivated: subscribe to its next
    /// activation now and catch up, rather than at the next check (which still follows as backstop).
    /// </summary>
    public async Task RenewAsync(string key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return;
        }

        try
        {
            var (renewed, target) = await EnsureSubscribedAsync(key, entry);
            if (renewed && target is not null)
            {
                await target.CatchUpAsync();
            }
        }
        catch (Exception ex)
        {
            LogRenewFailed(ex, streamNamespace, key);
        }
    }

    private async Task<(bool Renewed, IStreamTarget<TEvent>? Target)> EnsureSubscribedAsync(string key, Entry entry)
    {
        await entry.Gate.WaitAsync();
        try
        {
            if (entry.Retired || entry.Handle is not { } handle || entry.Target is not { } target)
            {
                return (false, null);
            }

            var live = await Stream(key).GetAllSubscriptionHandles().WaitAsync(CallTimeout);
            if (live.Any(candidate => candidate.HandleId == handle.HandleId))
            {
                return (false, target);
            }

            LogResubscribing(streamNamespace, key);
            try
            {
                // Forgets the dead handle here; the owner holds it no more.
                await handle.UnsubscribeAsync().WaitAsync(CallTimeout);
            }
            catch (Exception ex)
            {
                LogStaleUnsubscribeFailed(ex, streamNamespace, key);
            }

            // Not given up early: a subscription abandoned here could still land at the owner with
            // no entry holding its handle, and the checks would never see the stream again.
            entry.Handle = await SubscribeAsync(key, target);
            return (true, target);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private Task<StreamSubscriptionHandle<TEvent>> SubscribeAsync(string key, IStreamTarget<TEvent> target) =>
        Stream(key).SubscribeAsync((item, _) => OnNextAsync(target, item));

    private IAsyncStream<TEvent> Stream(string key) =>
        cluster.GetStreamProvider(StreamNames.Provider).GetStream<TEvent>(StreamId.Create(streamNamespace, key));

    private async Task OnNextAsync(IStreamTarget<TEvent> target, TEvent item)
    {
        try
        {
            await target.OnNextAsync(item);
        }
        catch (Exception ex)
        {
            // One failed fan-out must not fault the subscription for every other connection.
            LogFanoutFailed(ex, typeof(TEvent).Name, streamNamespace);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Fan-out of {EventType} from {Namespace} failed")]
    private partial void LogFanoutFailed(Exception exception, string eventType, string @namespace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cluster dropped this gateway's subscription to {Namespace}/{Key}; subscribing again")]
    private partial void LogResubscribing(string @namespace, string key);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Forgetting the dropped subscription to {Namespace}/{Key} failed")]
    private partial void LogStaleUnsubscribeFailed(Exception exception, string @namespace, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing again to {Namespace}/{Key} after its owner left failed; the next check tries again")]
    private partial void LogRenewFailed(Exception exception, string @namespace, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking {Failed} of {Total} subscriptions to {Namespace} streams failed; the next check tries again")]
    private partial void LogCheckFailed(Exception exception, int failed, int total, string @namespace);

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public bool Retired { get; set; }
        public StreamSubscriptionHandle<TEvent>? Handle { get; set; }
        public IStreamTarget<TEvent>? Target { get; set; }
    }
}
