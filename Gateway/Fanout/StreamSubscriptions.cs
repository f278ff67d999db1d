using System.Collections.Concurrent;
using Orleans.Streams;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// Reference-counted stream subscriptions of this gateway, one per stream key whatever the number of
/// local connections: per-connection subscriptions would multiply silo traffic and PubSub writes.
/// The first reference subscribes, the last one unsubscribes.
/// </summary>
public sealed class StreamSubscriptions<TEvent>(
    IClusterClient cluster,
    string streamNamespace,
    Func<TEvent, Task> onEvent,
    ILogger logger)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new();

    /// <summary>Number of streams this gateway is subscribed to.</summary>
    public int Count => _entries.Count;

    public async Task AcquireAsync(string key)
    {
        while (true)
        {
            var entry = _entries.GetOrAdd(key, _ => new Entry());
            await entry.Gate.WaitAsync();
            try
            {
                if (entry.Retired)
                {
                    continue; // Released and removed while we waited: take the fresh entry.
                }

                if (entry.Handle is null)
                {
                    entry.Handle = await Stream(key).SubscribeAsync(OnNextAsync);
                }

                entry.References++;
                return;
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }

    public async Task ReleaseAsync(string key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return;
        }

        await entry.Gate.WaitAsync();
        try
        {
            if (entry.Retired || --entry.References > 0)
            {
                return;
            }

            entry.Retired = true;
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            if (entry.Handle is { } handle)
            {
                await handle.UnsubscribeAsync();
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private IAsyncStream<TEvent> Stream(string key) =>
        cluster.GetStreamProvider(StreamNames.Provider).GetStream<TEvent>(StreamId.Create(streamNamespace, key));

    private async Task OnNextAsync(TEvent item, StreamSequenceToken? token)
    {
        try
        {
            await onEvent(item);
        }
        catch (Exception ex)
        {
            // One failed fan-out must not fault the subscription for every other connection.
            logger.LogError(ex, "Fan-out of {EventType} from {Namespace} failed", typeof(TEvent).Name, streamNamespace);
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int References { get; set; }
        public bool Retired { get; set; }
        public StreamSubscriptionHandle<TEvent>? Handle { get; set; }
    }
}
