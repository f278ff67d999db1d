using System.Collections.Concurrent;
using Cryb.Bench.Load;
using Cryb.Bench.Measurement;

namespace Cryb.Chaos.Checker;

/// <summary>
/// What happened during one scenario, as the senders and receivers saw it: every send attempt's
/// outcome and latency by phase, errors by code, and what receivers saw on their live
/// connections. Thread-safe: every sender and connection records into it.
/// </summary>
public sealed class ScenarioWindow(string name, int channels)
{
    private readonly LatencyHistogram[] _latency = [new(), new(), new()];
    private readonly long[] _firstAckAfterFault = Enumerable.Repeat(long.MaxValue, channels).ToArray();
    private long _liveDuplicates;
    private long _liveOutOfOrder;
    private long _liveGaps;
    private long _reconnects;
    private long _ackedWhileDown;
    private long _maxStorageRefusalMicros;

    public string Name { get; } = name;

    public volatile Phase Phase = Phase.Before;

    /// <summary>When the fault was injected, on <see cref="BenchClock"/>; long.MaxValue before.</summary>
    public long FaultAtMicros { get; private set; } = long.MaxValue;

    /// <summary>Per channel, the highest seq acknowledged when the fault was injected.</summary>
    public long[] SeqAtFault { get; private set; } = new long[channels];

    /// <summary>While a dependency (PostgreSQL) is down: from..to on <see cref="BenchClock"/>.</summary>
    public (long From, long To)? Outage { get; set; }

    public ErrorCounter Errors { get; } = new();

    public ConcurrentBag<string> Notes { get; } = [];

    public long LiveDuplicates => Interlocked.Read(ref _liveDuplicates);
    public long LiveOutOfOrder => Interlocked.Read(ref _liveOutOfOrder);
    public long LiveGaps => Interlocked.Read(ref _liveGaps);
    public long Reconnects => Interlocked.Read(ref _reconnects);
    public long AckedWhileDown => Interlocked.Read(ref _ackedWhileDown);
    public long MaxStorageRefusalMicros => Interlocked.Read(ref _maxStorageRefusalMicros);

    public void FaultInjected(long[] seqAtFault)
    {
        SeqAtFault = seqAtFault;
        FaultAtMicros = BenchClock.NowMicros;
        Phase = Phase.During;
    }

    public LatencySummary Latency(Phase phase) => _latency[(int)phase].Summarize();

    /// <summary>An acknowledgement of an attempt started at <paramref name="startedMicros"/> in <paramref name="phase"/>.</summary>
    public void Acknowledged(int channel, Phase phase, long startedMicros, long nowMicros)
    {
        if (phase != Phase.Drain)
        {
            _latency[(int)phase].Record(nowMicros - startedMicros);
        }

        if (startedMicros >= FaultAtMicros)
        {
            AtomicMin(ref _firstAckAfterFault[channel], nowMicros);
        }

        if (Outage is { } outage && startedMicros >= outage.From && nowMicros <= outage.To)
        {
            Interlocked.Increment(ref _ackedWhileDown);
        }
    }

    public void Refused(string code, long startedMicros, long nowMicros)
    {
        Errors.Add(code);
        if (code == Cryb.Errors.ErrorCodes.StorageUnavailable)
        {
            AtomicMax.Update(ref _maxStorageRefusalMicros, nowMicros - startedMicros);
        }
    }

    /// <summary>The latest of the channels' first acknowledgement after the fault: when every channel took sends again.</summary>
    public long? EveryChannelSendingAfterFaultMicros()
    {
        var latest = _firstAckAfterFault.Max();
        return latest == long.MaxValue ? null : latest - FaultAtMicros;
    }

    public void LiveDuplicate() => Interlocked.Increment(ref _liveDuplicates);
    public void LiveOutOfOrderEvent() => Interlocked.Increment(ref _liveOutOfOrder);
    public void LiveGap() => Interlocked.Increment(ref _liveGaps);
    public void Reconnected() => Interlocked.Increment(ref _reconnects);

    private static void AtomicMin(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
