namespace Cryb.Bench.Load.Friends;

/// <summary>
/// Chooses each <c>SetPresence</c> of the <c>friends</c> load: the user who has waited longest
/// since its last answer (the first round in a seeded random order), setting the status after the
/// one it has in the cycle online → dnd → idle → online (everyone starts online, as they
/// connected). A user gets no new call until its last is answered and <see cref="MinimumGap"/> has
/// passed since: the presence grain sends a user's changes within 250 ms as one, so two changes
/// closer than that would be one event for two calls.
/// </summary>
public sealed class PresenceSchedule
{
    /// <summary>The statuses in the order each user goes through them, by their wire names.</summary>
    public static readonly IReadOnlyList<string> Cycle = ["online", "dnd", "idle"];

    /// <summary>Four times the presence grain's coalescing window (250 ms).</summary>
    public static readonly long MinimumGap = 1_000_000;

    private readonly int[] _status;
    private readonly long[] _answeredAt;
    private readonly Queue<int> _idle;
    private readonly Lock _lock = new();

    public PresenceSchedule(int users, int seed = 21)
    {
        _status = new int[users];
        _answeredAt = Enumerable.Repeat(long.MinValue / 2, users).ToArray();
        var order = Enumerable.Range(0, users).ToArray();
        new Random(seed).Shuffle(order);
        _idle = new Queue<int>(order);
    }

    /// <summary>
    /// The next call, due at <paramref name="intended"/>; null when the user who waited longest
    /// still waits on an answer or changed less than <see cref="MinimumGap"/> ago.
    /// </summary>
    public PresenceOp? Next(long intended, bool measured)
    {
        lock (_lock)
        {
            if (!_idle.TryPeek(out var user) || intended - _answeredAt[user] < MinimumGap)
            {
                return null;
            }

            _idle.Dequeue();
            return new PresenceOp(user, Cycle[(_status[user] + 1) % Cycle.Count], intended, measured);
        }
    }

    /// <summary>The user's call was answered at <paramref name="answeredAt"/>: its status follows a success, and it may call again.</summary>
    public void Done(PresenceOp op, bool succeeded, long answeredAt)
    {
        lock (_lock)
        {
            if (succeeded)
            {
                _status[op.User] = IndexOf(op.Status);
            }

            _answeredAt[op.User] = answeredAt;
            _idle.Enqueue(op.User);
        }
    }

    /// <summary>Users not waiting on an answer.</summary>
    public int Idle
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    private static int IndexOf(string status)
    {
        for (var i = 0; i < Cycle.Count; i++)
        {
            if (Cycle[i] == status)
            {
                return i;
            }
        }

        throw new ArgumentException($"{status} is not a status of the cycle", nameof(status));
    }
}
