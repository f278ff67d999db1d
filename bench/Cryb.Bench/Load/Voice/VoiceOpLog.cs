namespace Cryb.Bench.Load.Voice;

/// <summary>
/// Every actor's calls in the order they were made. An actor makes one call at a time (the next is
/// chosen once the last one is answered), and its call is logged before it is made, so a watcher
/// that hears its state always finds it here.
/// </summary>
public sealed class VoiceOpLog(int actors)
{
    private readonly List<VoiceOp>[] _ops = [.. Enumerable.Range(0, actors).Select(_ => new List<VoiceOp>())];

    public int Actors => _ops.Length;

    public void Add(VoiceOp op)
    {
        var ops = _ops[op.Actor];
        lock (ops)
        {
            ops.Add(op);
        }
    }

    /// <summary>The first call of <paramref name="actor"/> at or after <paramref name="from"/> that did not fail and publishes <paramref name="state"/>, with its index; skipped calls that succeeded are lost to the watcher.</summary>
    public (VoiceOp? Op, int Index, int SkippedSucceeded) Match(int actor, int from, Guilds.VoiceStateSeen state)
    {
        var ops = _ops[actor];
        lock (ops)
        {
            var skipped = 0;
            for (var i = from; i < ops.Count; i++)
            {
                var op = ops[i];
                if (!op.Failed && op.Expects(state))
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

    /// <summary>Every call so far, in no particular order across actors.</summary>
    public IReadOnlyList<VoiceOp> All()
    {
        var all = new List<VoiceOp>();
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
