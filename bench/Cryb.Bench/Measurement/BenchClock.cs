using System.Diagnostics;

namespace Cryb.Bench.Measurement;

/// <summary>
/// The generator's one monotonic clock, in microseconds since the process started. Intended send
/// times written into message content and the arrival times compared with them come from this
/// clock, so end-to-end latency never mixes clocks (sender and receivers are the same process).
/// </summary>
public static class BenchClock
{
    private static readonly long Origin = Stopwatch.GetTimestamp();
    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    public static long NowMicros => (long)((Stopwatch.GetTimestamp() - Origin) * MicrosPerTick);

    public static long ToMicros(TimeSpan span) => (long)(span.Ticks / (double)TimeSpan.TicksPerMicrosecond);

    /// <summary>
    /// Waits until the clock reads at least <paramref name="micros"/>. Timers tick in whole
    /// milliseconds, so the wait is rounded up: a send may go out up to about a millisecond late
    /// (which counts against the server), never early.
    /// </summary>
    public static async Task WaitUntilAsync(long micros, CancellationToken cancellation)
    {
        var remaining = micros - NowMicros;
        if (remaining > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining / 1000.0)), cancellation);
        }
    }
}
