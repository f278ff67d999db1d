using Cryb.Bench.Measurement;

namespace Cryb.Tests.Infrastructure;

/// <summary>A process's resident memory, as the kernel reports it (Linux only, as the cluster tests are).</summary>
public static class ProcessMemory
{
    /// <summary><c>VmRSS</c> of <c>/proc/&lt;pid&gt;/status</c>, in bytes.</summary>
    public static long ResidentBytes(int processId) =>
        (ResidentMemory.Of(processId) ?? throw new InvalidOperationException($"Process {processId} is gone.")).ResidentKb * 1024;

    /// <summary>
    /// The lowest resident size over a few seconds of a process left alone: a single sample can
    /// land on a collection's high point; the lowest is the level it settles at.
    /// </summary>
    public static async Task<long> SettledResidentBytesAsync(int processId, TimeSpan over)
    {
        var lowest = long.MaxValue;
        for (var until = DateTime.UtcNow + over; DateTime.UtcNow < until; await Task.Delay(200))
        {
            lowest = Math.Min(lowest, ResidentBytes(processId));
        }

        return lowest;
    }
}
