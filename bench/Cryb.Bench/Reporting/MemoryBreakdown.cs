using Cryb.Bench.Measurement;

namespace Cryb.Bench.Reporting;

/// <summary>
/// Where one process's resident memory was at the soak's baseline and at its end, part by part:
/// growth in the GC heap is our objects, growth in anonymous memory outside the GC's commit is
/// native (the runtime, libraries), growth in shared memory is the JIT's code. What turns a memory
/// verdict into a finding.
/// </summary>
public sealed record MemoryBreakdown(string Process, MemoryPartsAt Baseline, MemoryPartsAt End)
{
    /// <summary>A row for every process with its parts read in both samples; empty when either is missing.</summary>
    public static IReadOnlyList<MemoryBreakdown> Of(ResourceSample? baseline, ResourceSample? end)
    {
        if (baseline is null || end is null)
        {
            return [];
        }

        return [.. baseline.Parts.Keys
            .Where(end.Parts.ContainsKey)
            .Select(name => new MemoryBreakdown(name, MemoryPartsAt.Of(baseline, name), MemoryPartsAt.Of(end, name)))];
    }
}

/// <summary>One process's memory in one sample, in KB; the GC's figures are null for a process without a metrics URL.</summary>
/// <param name="NativeKb">Anonymous memory the GC does not account for: the runtime's and libraries' own heaps, thread stacks.</param>
public sealed record MemoryPartsAt(double AtSeconds, long ResidentKb, long AnonymousKb, long FileKb, long SharedKb, long? GcCommittedKb, long? GcHeapKb, long? NativeKb, long? JitMethods)
{
    public static MemoryPartsAt Of(ResourceSample sample, string process)
    {
        var parts = sample.Parts[process];
        var runtime = sample.Runtime.GetValueOrDefault(process);
        return new MemoryPartsAt(
            sample.AtSeconds, parts.ResidentKb, parts.AnonymousKb, parts.FileKb, parts.SharedKb,
            runtime?.GcCommittedKb, runtime?.GcHeapKb,
            runtime is null ? null : Math.Max(0, parts.AnonymousKb - runtime.GcCommittedKb),
            runtime?.JitMethods);
    }
}
