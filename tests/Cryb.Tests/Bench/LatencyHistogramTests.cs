using Cryb.Bench.Measurement;

namespace Cryb.Tests.Bench;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Values_below_128_microseconds_are_counted_exactly()
    {
        var histogram = new LatencyHistogram();
        for (var micros = 0; micros < 128; micros++)
        {
            histogram.Record(micros);
        }

        // Rank ceil(p/100 x 128): the 64th value is 63, the 127th is 126.
        Assert.Equal(63, histogram.ValueAt(50));
        Assert.Equal(126, histogram.ValueAt(99));
        Assert.Equal(127, histogram.ValueAt(100));
        Assert.Equal(0, histogram.ValueAt(0));
    }

    [Fact]
    public void Percentiles_of_a_uniform_spread_are_within_one_percent()
    {
        var histogram = new LatencyHistogram();
        for (var micros = 1; micros <= 100_000; micros++)
        {
            histogram.Record(micros);
        }

        AssertWithinOnePercent(50_000, histogram.ValueAt(50));
        AssertWithinOnePercent(95_000, histogram.ValueAt(95));
        AssertWithinOnePercent(99_000, histogram.ValueAt(99));
        AssertWithinOnePercent(99_900, histogram.ValueAt(99.9));
        Assert.Equal(100_000, histogram.Max);
        Assert.Equal(100_000, histogram.Count);
        Assert.Equal(50_000.5, histogram.MeanMicros);
    }

    [Fact]
    public void Any_single_value_comes_back_within_its_bucket_precision()
    {
        for (double value = 128; value < 1e11; value *= 1.07)
        {
            var histogram = new LatencyHistogram();
            histogram.Record((long)value);
            // A far larger second sample keeps the max from clamping the answer.
            histogram.Record(long.MaxValue / 2);
            var reported = histogram.ValueAt(50);
            Assert.True(Math.Abs(reported - (long)value) <= (long)value / 128.0, $"{(long)value} µs came back as {reported} µs");
        }
    }

    [Fact]
    public void A_percentile_never_exceeds_the_largest_sample()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1000);
        Assert.Equal(1000, histogram.ValueAt(99.9));
        Assert.Equal(1000, histogram.ValueAt(50));
    }

    [Fact]
    public void Negative_durations_count_as_zero_and_an_empty_histogram_reports_zero()
    {
        var histogram = new LatencyHistogram();
        Assert.Equal(0, histogram.ValueAt(99));
        Assert.Equal(LatencySummary.Empty, histogram.Summarize());
        histogram.Record(-5);
        Assert.Equal(0, histogram.ValueAt(100));
        Assert.Equal(1, histogram.Count);
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
        AssertWithinOnePercent(2.0, summary.P99);
        Assert.Equal(2.0, summary.Max);
        Assert.Equal(1.05, summary.Mean);
    }

    private static void AssertWithinOnePercent(double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= expected * 0.01, $"expected {expected} within 1%, got {actual}");
}
