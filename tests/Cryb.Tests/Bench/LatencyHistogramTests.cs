using Cryb.Bench.Measurement;

namespace Cryb.Tests.Bench;

/// <summary>The load tool's latencies in HdrHistogram: exact below 2,048 µs, within 0.1% above, safe from many threads.</summary>
public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_of_known_samples_are_those_samples()
    {
        var histogram = new LatencyHistogram();
        // 90 sends at 1 ms, 9 at 5 ms, one at 100 ms: the tail a mean would hide.
        RecordMany(histogram, 1_000, 90);
        RecordMany(histogram, 5_000, 9);
        histogram.Record(100_000);

        var summary = histogram.Summarize();

        Assert.Equal(100, summary.Count);
        Assert.Equal(1.0, summary.P50);
        AssertWithinPrecision(5.0, summary.P95);
        AssertWithinPrecision(5.0, summary.P99);
        AssertWithinPrecision(100.0, summary.P999);
        AssertWithinPrecision(100.0, summary.Max);
        AssertWithinPrecision((90 * 1.0 + 9 * 5.0 + 100.0) / 100, summary.Mean);
    }

    [Fact]
    public void Values_below_2048_microseconds_are_recorded_exactly()
    {
        var histogram = new LatencyHistogram();
        for (var micros = 0; micros < 2048; micros++)
        {
            histogram.Record(micros);
        }

        // HdrHistogram's rank is the nearest whole count: 0.5 x 2048 is the 1024th value, 1023.
        Assert.Equal(1023, histogram.ValueAt(50));
        Assert.Equal(2027, histogram.ValueAt(99));
        Assert.Equal(2047, histogram.ValueAt(100));
        Assert.Equal(2047, histogram.Max);
        Assert.Equal(0, histogram.ValueAt(0));
        Assert.Equal(1023.5, histogram.MeanMicros);
    }

    [Fact]
    public void Percentiles_of_a_uniform_spread_are_within_its_precision()
    {
        var histogram = new LatencyHistogram();
        for (var micros = 1; micros <= 100_000; micros++)
        {
            histogram.Record(micros);
        }

        AssertWithinPrecision(50_000, histogram.ValueAt(50));
        AssertWithinPrecision(95_000, histogram.ValueAt(95));
        AssertWithinPrecision(99_000, histogram.ValueAt(99));
        AssertWithinPrecision(99_900, histogram.ValueAt(99.9));
        AssertWithinPrecision(100_000, histogram.Max);
        Assert.Equal(100_000, histogram.Count);
        AssertWithinPrecision(50_000.5, histogram.MeanMicros);
    }

    [Fact]
    public void Any_single_value_up_to_an_hour_comes_back_within_its_precision()
    {
        for (double value = 1; value <= LatencyHistogram.HighestMicros; value *= 1.07)
        {
            var histogram = new LatencyHistogram();
            histogram.Record((long)value);
            AssertWithinPrecision((long)value, histogram.ValueAt(50));
        }
    }

    [Fact]
    public void Durations_out_of_range_are_clamped_not_lost()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);
        histogram.Record(long.MaxValue);

        Assert.Equal(2, histogram.Count);
        Assert.Equal(0, histogram.ValueAt(0));
        AssertWithinPrecision(LatencyHistogram.HighestMicros, histogram.ValueAt(100));
    }

    [Fact]
    public void An_empty_histogram_reports_zero()
    {
        var histogram = new LatencyHistogram();

        Assert.Equal(0, histogram.ValueAt(99));
        Assert.Equal(0, histogram.Max);
        Assert.Equal(LatencySummary.Empty, histogram.Summarize());
    }

    [Fact]
    public void Every_sample_recorded_from_many_threads_counts()
    {
        var histogram = new LatencyHistogram();

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, thread => RecordMany(histogram, 1_000 + thread, 50_000));

        Assert.Equal(400_000, histogram.Count);
        Assert.Equal(1_007, histogram.Max);
    }

    [Fact]
    public void The_summary_is_in_milliseconds()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(100);
        histogram.Record(2_000);
        var summary = histogram.Summarize();
        Assert.Equal(2, summary.Count);
        Assert.Equal(0.1, summary.P50);
        Assert.Equal(2.0, summary.P99);
        Assert.Equal(2.0, summary.Max);
        Assert.Equal(1.05, summary.Mean);
    }

    private static void RecordMany(LatencyHistogram histogram, long micros, int times)
    {
        for (var i = 0; i < times; i++)
        {
            histogram.Record(micros);
        }
    }

    /// <summary>Three significant digits: within 0.1%, and exact below 2,048 (where 0.1% is under one).</summary>
    private static void AssertWithinPrecision(double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= expected * 0.001 + 1e-9, $"expected {expected} within 0.1%, got {actual}");
}
