namespace Cryb.Bench.Load.Friends;

/// <summary>
/// Every user's <c>SetPresence</c> calls in the order they were made. A user makes one call at a
/// time, and its call is logged before it is made, so a friend that hears the change always finds
/// it here.
/// </summary>
public sealed class PresenceOpLog(int users)
{
    private readonly List<PresenceOp>[] _ops = [.. Enumerable.Range(0, users).Select(_ => new List<PresenceOp>())];

    public int Users => _ops.Length;

    public void Add(PresenceOp op)
    {
        var ops = _ops[op.User];
        lock (ops)
        {
            ops.Add(op);
        }
    }

    /// <summary>
    /// The first call of <paramref name="user"/> at or after <paramref name="from"/> that did not
    /// fail and sets <paramref name="status"/>, with its index and how many measured calls that
    /// succeeded it passed over (their changes never reached the listener).
    /// </summary>
    public (PresenceOp? Op, int Index, int SkippedSucceeded) Match(int user, int from, string status)
    {
        var ops = _ops[user];
        lock (ops)
        {
            var skipped = 0;
            for (var i = from; i < ops.Count; i++)
            {
                var op = ops[i];
                if (!op.Failed && op.Status == status)
                {
                    return (op, i, skipped);
                }

                if (op.Succeeded && op.Measured)
                {
                    skipped++;
                }
            }

            return (null, from, 0);
        }
    }

    /// <summary>The call of <paramref name="user"/> at <paramref name="index"/>, or null before its first.</summary>
    public PresenceOp? At(int user, int index)
    {
        var ops = _ops[user];
        lock (ops)
        {
            return index >= 0 && index < ops.Count ? ops[index] : null;
        }
    }

    /// <summary>Every call so far, in no particular order across users.</summary>
    public IReadOnlyList<PresenceOp> All()
    {
        var all = new List<PresenceOp>();
        foreach (var ops in _ops)
        {
            lock (ops)
            {
                all.AddRange(ops);
            }
        }

        return all;
    }
}
