using HdrHistogram;

namespace Cryb.Bench.Measurement;

/// <summary>
/// Durations in microseconds, recorded from many threads into an HdrHistogram with three
/// significant digits: values up to 2,048 µs are kept exactly, larger ones within 0.1%. Every
/// percentile the reports show comes from it.
/// </summary>
/// <remarks>
/// Recorded without HdrHistogram's coordinated-omission correction
/// (<c>RecordValueWithExpectedInterval</c>) on purpose. That correction fills in the samples a
/// closed loop never took while it waited on a slow answer, when latency is timed from the actual
/// send. Here the loads are open (a send or connect goes out on its schedule whatever happened to
/// the earlier ones) and latency is timed from the <em>intended</em> start, so a stall of the
/// server or of the generator already shows in every sample it delayed; the correction would
/// count the same stall a second time (HdrHistogram calls its corrections mutually exclusive with
/// any other fix for the same omission).
/// </remarks>
public sealed class LatencyHistogram
{
    /// <summary>
    /// An hour: longer than any window and drain a run has. A longer duration is recorded as an
    /// hour rather than lost, so it still counts in the percentiles.
    /// </summary>
    public const long HighestMicros = 3_600_000_000;

    private const int SignificantDigits = 3;

    private readonly LongConcurrentHistogram _histogram = new(1, HighestMicros, SignificantDigits);

    public long Count => _histogram.TotalCount;

    /// <summary>The largest duration recorded (to the histogram's precision); 0 when empty.</summary>
    public long Max => Count == 0 ? 0 : _histogram.GetMaxValue();

    public double MeanMicros => Count == 0 ? 0 : _histogram.GetMean();

    /// <summary>Counts one duration; negative ones (a send fired before its intended time) count as 0.</summary>
    public void Record(long micros) => _histogram.RecordValue(Math.Clamp(micros, 0, HighestMicros));

    /// <summary>The value at or below which <paramref name="percentile"/> percent of the samples lie; 0 when empty.</summary>
    public long ValueAt(double percentile) => Count == 0 ? 0 : _histogram.GetValueAtPercentile(percentile);

    /// <summary>p50, p95, p99, p99.9, max and mean in milliseconds.</summary>
    public LatencySummary Summarize() => Count == 0
        ? LatencySummary.Empty
        : new(
            Count,
            Milliseconds(ValueAt(50)),
            Milliseconds(ValueAt(95)),
            Milliseconds(ValueAt(99)),
            Milliseconds(ValueAt(99.9)),
            Milliseconds(Max),
            Math.Round(MeanMicros / 1000.0, 3));

    private static double Milliseconds(long micros) => Math.Round(micros / 1000.0, 3);
}

/// <summary>Latency percentiles in milliseconds over <see cref="Count"/> samples.</summary>
public sealed record LatencySummary(long Count, double P50, double P95, double P99, double P999, double Max, double Mean)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0, 0);
}
