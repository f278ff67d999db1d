using System.Globalization;
using Cryb.Bench.Measurement;

namespace Cryb.Bench.Reporting;

/// <summary>
/// How much one process's resident memory grew from a baseline sample (once warm: minute 5 of a
/// soak) to the last one, and whether that stays within the limit. A leak shows as steady growth
/// under steady load; the first minutes are left out because heaps, caches and the JIT's code grow
/// then by design.
/// </summary>
/// <param name="Judged">False for the generator: it keeps a bit per delivered seq per member, so it grows with the run by design.</param>
public sealed record MemoryGrowth(string Process, double BaselineAtSeconds, long BaselineKb, double EndAtSeconds, long EndKb, double GrowthPercent, bool Judged, string? Failure)
{
    public bool Passed => Failure is null;

    /// <summary>
    /// Growth of every process from the first sample at or after <paramref name="baselineSeconds"/>
    /// to the last sample, failing those above <paramref name="limitPercent"/> and those gone by
    /// either sample. Empty when no sample is late enough to be a baseline.
    /// </summary>
    public static IReadOnlyList<MemoryGrowth> Of(IReadOnlyList<ResourceSample> samples, double baselineSeconds, double limitPercent)
    {
        var baseline = samples.FirstOrDefault(sample => sample.AtSeconds >= baselineSeconds);
        if (baseline is null || samples.Count == 0)
        {
            return [];
        }

        var end = samples[^1];
        return [.. baseline.ResidentKb.Keys.Select(name =>
        {
            var from = baseline.ResidentKb[name];
            var to = end.ResidentKb.GetValueOrDefault(name);
            var growth = from > 0 ? Math.Round((to - from) * 100.0 / from, 1) : 0;
            var judged = name != MonitoredProcess.Generator.Name;
            string? failure = !judged ? null
                : from == 0 || to == 0 ? $"{name} was not running at {(from == 0 ? "the baseline" : "the end")}"
                : growth > limitPercent ? string.Create(CultureInfo.InvariantCulture, $"{name} resident memory grew {growth:0.#}% (from {from / 1024.0:0} MB at {baselineSeconds / 60:0.#} min to {to / 1024.0:0} MB at the end), above {limitPercent:0.#}%")
                : null;
            return new MemoryGrowth(name, baseline.AtSeconds, from, end.AtSeconds, to, growth, judged, failure);
        })];
    }
}
