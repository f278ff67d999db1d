namespace Cryb.Bench.Load.Friends;

/// <summary>
/// One user's connection hearing <c>PresenceUpdated</c>: each presence in a frame is sorted by who
/// it is about. From a user who blocked this one it is a leak (<see cref="ToBlocked"/>); from anyone
/// else who is not a friend, presence that flowed with nothing shared (<see cref="ToNonFriend"/>);
/// from a friend, it is matched to the friend's call that set it (<see cref="PresenceOpLog.Match"/>)
/// and its delivery timed from that call's intended start. Fed from the connection's receive loop,
/// one frame at a time; what arrives before <see cref="Open"/> (the setup's connects and new
/// friendships) is not counted.
/// </summary>
public sealed class PresenceWatcher(int user, FriendGraph graph, IReadOnlyDictionary<string, int> users, PresenceOpLog log, Action<PresenceOp, long> delivered)
{
    private readonly int[] _next = new int[log.Users];
    private volatile bool _open;
    private long _lastArrival;
    private long _toBlocked;
    private long _toNonFriend;
    private long _unexpected;
    private long _duplicated;
    private long _skipped;
    private long _deliveredMeasured;

    public int User { get; } = user;

    /// <summary>Presences from users who blocked this one: must stay 0.</summary>
    public long ToBlocked => Interlocked.Read(ref _toBlocked);

    /// <summary>Presences from users who are not this one's friends (blockers aside): must stay 0.</summary>
    public long ToNonFriend => Interlocked.Read(ref _toNonFriend);

    /// <summary>Presences of a friend that no call of theirs explains.</summary>
    public long Unexpected => Interlocked.Read(ref _unexpected);

    /// <summary>A friend's change heard again after it was matched.</summary>
    public long Duplicated => Interlocked.Read(ref _duplicated);

    /// <summary>Measured calls that succeeded yet whose change this user never heard, a later one of the same friend having come.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Measured calls of friends whose change this user heard.</summary>
    public long DeliveredMeasured => Interlocked.Read(ref _deliveredMeasured);

    /// <summary>When the last frame arrived, counted or not (<see cref="Measurement.BenchClock"/>); 0 before any.</summary>
    public long LastArrival => Interlocked.Read(ref _lastArrival);

    /// <summary>From now on every presence counts: the load is about to start.</summary>
    public void Open() => _open = true;

    public void Seen(IReadOnlyList<PresenceSeen> frame, long arrived)
    {
        Interlocked.Exchange(ref _lastArrival, arrived);
        if (!_open)
        {
            return;
        }

        foreach (var presence in frame)
        {
            Seen(presence, arrived);
        }
    }

    private void Seen(PresenceSeen presence, long arrived)
    {
        if (!users.TryGetValue(presence.UserId, out var other))
        {
            Interlocked.Increment(ref _toNonFriend);
            return;
        }

        if (graph.Blocked(other, User))
        {
            Interlocked.Increment(ref _toBlocked);
            return;
        }

        if (!graph.AreFriends(other, User))
        {
            Interlocked.Increment(ref _toNonFriend);
            return;
        }

        var (op, index, skipped) = log.Match(other, _next[other], presence.Status);
        if (op is null)
        {
            // Statuses of consecutive calls differ, so the last one matched again is a repeat.
            if (log.At(other, _next[other] - 1)?.Status == presence.Status)
            {
                Interlocked.Increment(ref _duplicated);
            }
            else
            {
                Interlocked.Increment(ref _unexpected);
            }

            return;
        }

        _next[other] = index + 1;
        Interlocked.Add(ref _skipped, skipped);
        if (op.Measured)
        {
            Interlocked.Increment(ref _deliveredMeasured);
            delivered(op, arrived);
        }
    }
}

/// <summary>The fields of a <c>Presence</c> the <c>friends</c> scenario checks; the rest of the payload is skipped.</summary>
/// <param name="Status">The wire name: <c>online</c>, <c>idle</c>, <c>dnd</c> or <c>offline</c>.</param>
public sealed record PresenceSeen(string UserId, string Status);
