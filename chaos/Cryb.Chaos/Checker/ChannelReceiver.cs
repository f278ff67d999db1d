using Cryb.Bench.Load;
using Cryb.Bench.Measurement;

namespace Cryb.Chaos.Checker;

/// <summary>
/// One member's copy of one channel, kept as docs/protocol.md "Keeping a client in sync" tells client
/// authors: apply the event at <c>lastApplied + 1</c>, ignore those at or below it, and resync with
/// <c>JoinChannel(channelId, lastApplied)</c> on a gap or a reconnect. Besides, it checks what each
/// connection delivers live: a seq twice, or below one already delivered, is the gateway's fault
/// whatever the client does about it. Lock it to read or write.
/// </summary>
public sealed class ChannelReceiver(string channelId, int channel, long joinedAtSeq)
{
    private readonly SeqBitSet _applied = new();
    private readonly List<(long Seq, long Micros)> _log = [];
    private SeqBitSet _liveOnConnection = new();
    private long _lastLiveOnConnection;

    public string ChannelId { get; } = channelId;
    public int Channel { get; } = channel;

    /// <summary>The channel's seq when this member joined: it owes nothing older.</summary>
    public long JoinedAtSeq { get; } = joinedAtSeq;

    public long LastApplied { get; private set; } = joinedAtSeq;

    /// <summary>A resync is running; live events ahead of <see cref="LastApplied"/> wait for it.</summary>
    public bool Resyncing { get; set; }

    /// <summary>The highest live seq seen while a resync ran: if it is ahead when the resync ends, resync again.</summary>
    public long HighestSkipped { get; private set; }

    /// <summary>A new connection: live order is checked per connection.</summary>
    public void NewConnection()
    {
        _liveOnConnection = new SeqBitSet();
        _lastLiveOnConnection = 0;
    }

    /// <summary>
    /// A live <c>MessageCreated</c>. Returns true when it showed a gap the client must resync for.
    /// </summary>
    public bool Live(long seq, ScenarioWindow window)
    {
        if (!_liveOnConnection.Add(seq))
        {
            window.LiveDuplicate();
        }
        else if (seq < _lastLiveOnConnection)
        {
            window.LiveOutOfOrderEvent();
        }
        else
        {
            _lastLiveOnConnection = seq;
        }

        if (seq <= LastApplied)
        {
            return false;
        }

        if (seq == LastApplied + 1 && !Resyncing)
        {
            Apply(seq);
            return false;
        }

        HighestSkipped = Math.Max(HighestSkipped, seq);
        if (Resyncing)
        {
            return false;
        }

        window.LiveGap();
        return true;
    }

    /// <summary>
    /// Applies what a <c>JoinChannel</c> returned as missed, in seq order. A seq skipped inside it
    /// is applied past all the same: the final check counts what never arrived.
    /// </summary>
    public void ApplyMissed(IEnumerable<long> seqs)
    {
        foreach (var seq in seqs.Order())
        {
            if (seq > LastApplied)
            {
                Apply(seq);
            }
        }
    }

    /// <summary>Whether this member holds <paramref name="seq"/>.</summary>
    public bool Has(long seq) => _applied.Contains(seq);

    /// <summary>When this member first applied a seq above <paramref name="seq"/> at or after <paramref name="fromMicros"/>; null if it has not.</summary>
    public long? FirstAppliedAbove(long seq, long fromMicros)
    {
        foreach (var (applied, micros) in _log)
        {
            if (applied > seq && micros >= fromMicros)
            {
                return micros;
            }
        }

        return null;
    }

    private void Apply(long seq)
    {
        _applied.Add(seq);
        _log.Add((seq, BenchClock.NowMicros));
        LastApplied = seq;
    }
}
