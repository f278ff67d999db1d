namespace Cryb.Bench.Measurement;

/// <summary>Lock-free "keep the largest", for maxima recorded from many threads.</summary>
public static class AtomicMax
{
    public static void Update(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
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
