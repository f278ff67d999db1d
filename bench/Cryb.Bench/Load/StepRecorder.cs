using Cryb.Bench.Measurement;

namespace Cryb.Bench.Load;

/// <summary>
/// The counts and latencies of one measured window [<see cref="WindowStart"/>,
/// <see cref="WindowEnd"/>) on <see cref="BenchClock"/>. Latencies count for messages whose
/// intended send time falls in the window, however late they arrive (the drain waits for them);
/// rates count acknowledgements and deliveries that arrive in the window.
/// </summary>
public sealed class StepRecorder(long windowStart, long windowEnd)
{
    private long _offered;
    private long _acked;
    private long _deliveries;
    private long _failedSends;

    public long WindowStart { get; } = windowStart;

    public long WindowEnd { get; } = windowEnd;

    public LatencyHistogram EndToEnd { get; } = new();

    public LatencyHistogram Ack { get; } = new();

    /// <summary>Failures during the whole step, warmup included.</summary>
    public ErrorCounter Errors { get; } = new();

    public long Offered => Interlocked.Read(ref _offered);

    public long AckedInWindow => Interlocked.Read(ref _acked);

    public long DeliveriesInWindow => Interlocked.Read(ref _deliveries);

    /// <summary>Sends of the whole step, warmup included, that failed or were refused: never acknowledged.</summary>
    public long FailedSends => Interlocked.Read(ref _failedSends);

    public bool InWindow(long micros) => micros >= WindowStart && micros < WindowEnd;

    public void Sent(long intended)
    {
        if (InWindow(intended))
        {
            Interlocked.Increment(ref _offered);
        }
    }

    public void Acked(long intended, long at)
    {
        if (InWindow(intended))
        {
            Ack.Record(at - intended);
        }

        if (InWindow(at))
        {
            Interlocked.Increment(ref _acked);
        }
    }

    public void Failed(Exception error)
    {
        Interlocked.Increment(ref _failedSends);
        Errors.Add(error);
    }

    /// <summary>A first delivery to one member; <paramref name="intended"/> is -1 for content that is not a bench stamp.</summary>
    public void Delivered(long intended, long at)
    {
        if (InWindow(intended))
        {
            EndToEnd.Record(at - intended);
        }

        if (InWindow(at))
        {
            Interlocked.Increment(ref _deliveries);
        }
    }
}
