namespace Cryb.Grains.Channels;

/// <summary>Times as the channel stores them.</summary>
internal static class StoredTime
{
    /// <summary>Now, to the microsecond: PostgreSQL keeps microseconds, so acknowledged values equal stored ones.</summary>
    public static DateTimeOffset GetUtcNowInMicroseconds(this TimeProvider time)
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
