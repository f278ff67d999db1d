namespace Cryb.Bench.Measurement;

/// <summary>
/// A log-linear histogram of durations in microseconds, safe to record into from many threads.
/// Values below 128 µs are counted exactly; above, each power of two is split into 64 equal
/// buckets, so a bucket is at most 1/64 of its values wide and the reported midpoint is within
/// 0.8% of any value in it. Recording is one array increment: no allocation per sample.
/// </summary>
public sealed class LatencyHistogram
{
    private const int ExactLimit = 128;       // 2^7: below this, one bucket per microsecond
    private const int ExactBits = 7;
    private const int SubBuckets = 64;        // buckets per power of two above ExactLimit
    private const int MaxExponent = 42;       // 2^42 µs is about 51 days: anything longer is clamped

    private readonly long[] _counts = new long[ExactLimit + (MaxExponent - ExactBits + 1) * SubBuckets];
    private long _count;
    private long _sum;
    private long _max;

    public long Count => Interlocked.Read(ref _count);

    public long Max => Interlocked.Read(ref _max);

    /// <summary>Counts one duration; negative ones (a send fired before its intended time) count as 0.</summary>
    public void Record(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }

        Interlocked.Increment(ref _counts[BucketOf(micros)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, micros);
        AtomicMax.Update(ref _max, micros);
    }

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> percent of the samples lie: the
    /// midpoint of the bucket holding the sample of that rank, never above the largest sample.
    /// 0 when empty.
    /// </summary>
    public long ValueAt(double percentile)
    {
        var count = Count;
        if (count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * count));
        long seen = 0;
        for (var bucket = 0; bucket < _counts.Length; bucket++)
        {
            seen += Interlocked.Read(ref _counts[bucket]);
            if (seen >= rank)
            {
                return Math.Min(Midpoint(bucket), Max);
            }
        }

        return Max;
    }

    public double MeanMicros => Count == 0 ? 0 : Interlocked.Read(ref _sum) / (double)Count;

    /// <summary>p50, p95, p99, p99.9 and max in milliseconds.</summary>
    public LatencySummary Summarize() => new(
        Count,
        Milliseconds(ValueAt(50)),
        Milliseconds(ValueAt(95)),
        Milliseconds(ValueAt(99)),
        Milliseconds(ValueAt(99.9)),
        Milliseconds(Max),
        Math.Round(MeanMicros / 1000.0, 3));

    internal static int BucketOf(long micros)
    {
        if (micros < ExactLimit)
        {
            return (int)micros;
        }

        var exponent = Math.Min(63 - (int)ulong.LeadingZeroCount((ulong)micros), MaxExponent);
        if (exponent == MaxExponent && micros >= 1L << (MaxExponent + 1))
        {
            return ExactLimit + (MaxExponent - ExactBits + 1) * SubBuckets - 1;
        }

        // The top 7 bits of the value (64..127) pick the sub-bucket within its power of two.
        var sub = (int)(micros >> (exponent - (ExactBits - 1))) - SubBuckets;
        return ExactLimit + (exponent - ExactBits) * SubBuckets + sub;
    }

    internal static long Midpoint(int bucket)
    {
        if (bucket < ExactLimit)
        {
            return bucket;
        }

        var exponent = (bucket - ExactLimit) / SubBuckets + ExactBits;
        var sub = (bucket - ExactLimit) % SubBuckets + SubBuckets;
        var width = 1L << (exponent - (ExactBits - 1));
        return sub * width + width / 2;
    }

    private static double Milliseconds(long micros) => Math.Round(micros / 1000.0, 3);
}

/// <summary>Latency percentiles in milliseconds over <see cref="Count"/> samples.</summary>
public sealed record LatencySummary(long Count, double P50, double P95, double P99, double P999, double Max, double Mean)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0, 0);
}
