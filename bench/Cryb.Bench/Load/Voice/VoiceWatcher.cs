using Cryb.Bench.Load.Guilds;

namespace Cryb.Bench.Load.Voice;

/// <summary>
/// One member whose connection hears every <c>VoiceStateUpdated</c> of the server: each event is
/// matched to the actor's call that published it (<see cref="VoiceOpLog.Match"/>), its delivery
/// timed from that call's intended start, and the server's voice versions checked to grow. Fed from
/// the connection's receive loop, one event at a time.
/// </summary>
public sealed class VoiceWatcher(string userId, IReadOnlyDictionary<string, int> actors, VoiceOpLog log, Action<VoiceOp, long> delivered)
{
    private readonly int[] _next = new int[log.Actors];
    private long _lastVersion;
    private long _outOfOrder;
    private long _unexpected;
    private long _skipped;
    private long _deliveredMeasured;

    public string UserId { get; } = userId;

    /// <summary>Events whose version was not above the last one this member heard.</summary>
    public long OutOfOrder => Interlocked.Read(ref _outOfOrder);

    /// <summary>Events of an actor that no call of theirs explains (after the last matched one).</summary>
    public long Unexpected => Interlocked.Read(ref _unexpected);

    /// <summary>Measured calls that succeeded yet whose event this member never heard, a later one of the same actor having come.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Measured calls whose event this member heard.</summary>
    public long DeliveredMeasured => Interlocked.Read(ref _deliveredMeasured);

    public void Seen(VoiceStateSeen state, long arrived)
    {
        if (state.Version <= _lastVersion)
        {
            Interlocked.Increment(ref _outOfOrder);
        }
        else
        {
            _lastVersion = state.Version;
        }

        if (!actors.TryGetValue(state.UserId, out var actor))
        {
            return; // not one of this run's actors
        }

        var (op, index, skipped) = log.Match(actor, _next[actor], state);
        if (op is null)
        {
            Interlocked.Increment(ref _unexpected);
            return;
        }

        _next[actor] = index + 1;
        Interlocked.Add(ref _skipped, skipped);
        if (op.Measured)
        {
            Interlocked.Increment(ref _deliveredMeasured);
            delivered(op, arrived);
        }
    }
}
