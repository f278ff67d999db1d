using System.Threading.Channels;
using Cryb.Channels;
using Orleans.Streams;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// The events of one kind (and, if told, only those it keeps) that a channel's stream delivers to
/// the test client, read in the order they arrive, each wait with a timeout that names what it waited for.
/// </summary>
public sealed class ChannelEventReader<TEvent> : IAsyncDisposable where TEvent : ChannelEvent
{
    private readonly Channel<TEvent> _events = Channel.CreateUnbounded<TEvent>();
    private StreamSubscriptionHandle<ChannelEvent>? _subscription;

    /// <summary>Subscribes before returning: every event published after this is read.</summary>
    public static async Task<ChannelEventReader<TEvent>> SubscribeAsync(IClusterClient client, string channelId, Func<TEvent, bool>? keep = null)
    {
        var reader = new ChannelEventReader<TEvent>();
        var stream = client.GetStreamProvider(StreamNames.Provider)
            .GetStream<ChannelEvent>(StreamId.Create(StreamNames.Channel, channelId));
        reader._subscription = await stream.SubscribeAsync((item, _) =>
        {
            if (item is TEvent wanted && (keep is null || keep(wanted)))
            {
                reader._events.Writer.TryWrite(wanted);
            }

            return Task.CompletedTask;
        });
        return reader;
    }

    /// <summary>The next event, or a <see cref="TimeoutException"/> naming <paramref name="what"/>.</summary>
    public async Task<TEvent> NextAsync(string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            return await _events.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"Waited {limit.TotalSeconds:F0} s for {what}.");
        }
    }

    /// <summary>The next <paramref name="count"/> events, or a <see cref="TimeoutException"/> saying how many of them came.</summary>
    public async Task<TEvent[]> TakeAsync(int count, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        using var cancel = new CancellationTokenSource(limit);
        var taken = new List<TEvent>(count);
        try
        {
            while (taken.Count < count)
            {
                taken.Add(await _events.Reader.ReadAsync(cancel.Token));
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"{taken.Count} of {count} channel events arrived within {limit.TotalSeconds:F0} s.");
        }

        return taken.ToArray();
    }

    /// <summary>Whether no event is waiting to be read.</summary>
    public bool IsEmpty => !_events.Reader.TryPeek(out _);

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null)
        {
            await _subscription.UnsubscribeAsync();
        }
    }
}
