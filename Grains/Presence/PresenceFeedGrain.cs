using Cryb.Presence;
using Orleans.Streams;

namespace Cryb.Grains.Presence;

/// <summary>
/// One presence stream (<see cref="StreamNames.PresenceShards"/> of them). Changes announced within
/// <see cref="BatchWindow"/> go to every gateway as one push, so a reconnect storm of thousands of
/// users costs each gateway a few messages a second, not one per user and channel (Orleans'
/// GPSTracker sample batches its pushes to each host the same way).
/// </summary>
public sealed class PresenceFeedGrain : Grain, IPresenceFeedGrain
{
    /// <summary>
    /// How long a change waits for others to share its push: short next to the presence grain's own
    /// coalescing (250 ms), which already folds each user's burst of changes into one.
    /// </summary>
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(20);

    private readonly List<PresenceChanged> _pending = [];
    private IAsyncStream<PresenceChanged> _stream = null!;
    private IGrainTimer? _flush;

    /// <summary>The feed a user's changes go through: a stable hash, so each user's changes stay in one feed, in order.</summary>
    public static string KeyOf(string userId)
    {
        var hash = 2166136261u; // FNV-1a: string.GetHashCode differs between processes
        foreach (var c in userId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (hash % StreamNames.PresenceShards).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = this.GetStreamProvider(StreamNames.Provider)
            .GetStream<PresenceChanged>(StreamId.Create(StreamNames.Presence, this.GetPrimaryKeyString()));
        return Task.CompletedTask;
    }

    public Task Announce(PresenceChanged change)
    {
        _pending.Add(change);
        // Not KeepAlive: a feed nobody subscribes to may go; gateways' renewals keep a subscribed one.
        _flush ??= this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions { DueTime = BatchWindow, Period = Timeout.InfiniteTimeSpan });
        return Task.CompletedTask;
    }

    private Task FlushAsync(CancellationToken cancellationToken)
    {
        _flush?.Dispose();
        _flush = null;
        var batch = _pending.ToArray();
        _pending.Clear();
        return _stream.OnNextBatchAsync(batch);
    }
}
