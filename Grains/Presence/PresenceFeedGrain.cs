using Cryb.Identity;
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

    /// <summary>
    /// The newest change of each user of this shard who is online, idle or in do-not-disturb, as
    /// announced since activation: what a gateway reads for a small server's online members
    /// (<see cref="GetOnline"/>). A user going offline leaves it, so it holds the shard's online users
    /// only (a few hundred bytes each). In memory only, like the presence grains' live connections: a
    /// feed reactivated after a silo loss knows each user again from their next change.
    /// </summary>
    private readonly Dictionary<string, PresenceChanged> _online = new(StringComparer.Ordinal);

    /// <summary>The feed a user's changes go through (<see cref="PresenceFeeds.KeyOf"/>).</summary>
    public static string KeyOf(string userId) => PresenceFeeds.KeyOf(userId);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stream = this.GetStreamProvider(StreamNames.Provider)
            .GetStream<PresenceChanged>(StreamId.Create(StreamNames.Presence, this.GetPrimaryKeyString()));
        return Task.CompletedTask;
    }

    public Task Announce(PresenceChanged change)
    {
        _pending.Add(change);
        var userId = change.Presence.UserId;
        if (change.Presence.Status is PresenceStatus.Offline or PresenceStatus.Invisible)
        {
            // A user's changes reach their one feed in order (one presence grain announces them), so
            // no older "online" follows this.
            _online.Remove(userId);
        }
        else if (!_online.TryGetValue(userId, out var known) || known.Version < change.Version)
        {
            _online[userId] = change;
        }

        // Not KeepAlive: a feed nobody subscribes to may go; gateways' renewals keep a subscribed one.
        _flush ??= this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions { DueTime = BatchWindow, Period = Timeout.InfiniteTimeSpan });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<PresenceChanged>> GetOnline(ServiceCredential gateway, IReadOnlyList<string> userIds) =>
        Task.FromResult<IReadOnlyList<PresenceChanged>>(userIds
            .Select(userId => _online.GetValueOrDefault(userId))
            .OfType<PresenceChanged>()
            .ToArray());

    private Task FlushAsync(CancellationToken cancellationToken)
    {
        _flush?.Dispose();
        _flush = null;
        var batch = _pending.ToArray();
        _pending.Clear();
        return _stream.OnNextBatchAsync(batch);
    }
}
