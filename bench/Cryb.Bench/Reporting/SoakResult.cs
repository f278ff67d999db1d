using Cryb.Bench.Load;
using Cryb.Bench.Measurement;

namespace Cryb.Bench.Reporting;

/// <summary>The result of <c>soak</c>: the one long step as <c>fanout</c> reports it, the churn, and memory and CPU over time.</summary>
/// <param name="BaselineSeconds">Seconds from the load's start to the sample memory growth is judged from.</param>
public sealed class SoakResult(
    RunInfo run, object options, ShapeSummary shape, LoadStepResult step, ChurnSummary churn,
    IReadOnlyList<ResourceSample> samples, double baselineSeconds, IReadOnlyList<MemoryGrowth> memory) : ScenarioResult(run)
{
    public override object Options { get; } = options;
    public ShapeSummary Shape { get; } = shape;
    public LoadStepResult Step { get; } = step;
    public ChurnSummary Churn { get; } = churn;
    public double BaselineSeconds { get; } = baselineSeconds;
    public IReadOnlyList<MemoryGrowth> Memory { get; } = memory;
    public IReadOnlyList<ResourceSample> Samples { get; } = samples;

    /// <summary>Each process's memory part by part at the judged baseline and at the end.</summary>
    public IReadOnlyList<MemoryBreakdown> Breakdown => MemoryBreakdown.Of(
        Memory.Count > 0 ? Samples.FirstOrDefault(sample => sample.AtSeconds == Memory[0].BaselineAtSeconds) : null,
        Samples.Count > 0 ? Samples[^1] : null);

    public override IReadOnlyList<string> Failures =>
    [
        .. Step.Failures,
        .. Churn.Failed > 0 ? [$"{Churn.Failed} of {Churn.Left} members could not come back (rejoin_* errors)"] : Array.Empty<string>(),
        .. Memory.Where(growth => !growth.Passed).Select(growth => growth.Failure!),
        .. Memory.Count == 0 ? ["no memory sample after the baseline, so growth was not judged"] : Array.Empty<string>(),
    ];

    public override void WriteSummary(MarkdownWriter markdown)
    {
        // The step's load, latency, correctness, errors and CPU exactly as fanout shows them.
        new MessageLoadResult(Run, Options, Shape, [Step], Step.Correctness).WriteSummary(markdown);

        markdown.Heading("Churn", 3).Table(
            ["leaving/s", "time away (s)", "left", "rejoined", "failed", "missed messages filled", "truncated resumes", "rejoin p50 (ms)", "rejoin p99 (ms)", "rejoin max (ms)"],
            [[Churn.PerSecond, Churn.OfflineSeconds, Churn.Left, Churn.Rejoined, Churn.Failed, Churn.MissedFilled, Churn.Truncated, Churn.Rejoin.P50, Churn.Rejoin.P99, Churn.Rejoin.Max]]);

        var from = Memory.Count > 0 ? Memory[0].BaselineAtSeconds / 60 : BaselineSeconds / 60;
        markdown.Heading($"Resident memory from minute {MarkdownWriter.Number(from)} of the load to the end", 3);
        markdown.Table(
            ["process", $"MB at {MarkdownWriter.Number(from)} min", "MB at the end", "growth", "verdict"],
            Memory.Select(growth => (IReadOnlyList<object?>)
            [
                growth.Process, growth.BaselineKb / 1024.0, growth.EndKb / 1024.0, $"{MarkdownWriter.Number(growth.GrowthPercent)}%",
                !growth.Judged ? "not judged (holds a bit per delivery)" : growth.Passed ? "pass" : "FAIL",
            ]));
        WriteBreakdown(markdown, from);
        markdown.Line($"{Samples.Count} samples over {MarkdownWriter.Number(Samples.Count > 0 ? Samples[^1].AtSeconds / 60 : 0)} min: resident memory in `plot.svg`, CPU in `cpu.svg`, every reading in `result.json`.").Blank();
    }

    private void WriteBreakdown(MarkdownWriter markdown, double fromMinutes)
    {
        var rows = Breakdown;
        if (rows.Count == 0)
        {
            return;
        }

        markdown.Heading($"Where the memory is: MB at minute {MarkdownWriter.Number(fromMinutes)} → at the end", 3);
        markdown.Table(
            ["process", "resident", "GC committed", "GC heap after the last collection", "other anonymous (native)", "mapped files", "shared (the JIT's code)", "methods JIT-compiled"],
            rows.Select(row => (IReadOnlyList<object?>)
            [
                row.Process, Change(row.Baseline.ResidentKb, row.End.ResidentKb), Change(row.Baseline.GcCommittedKb, row.End.GcCommittedKb),
                Change(row.Baseline.GcHeapKb, row.End.GcHeapKb), Change(row.Baseline.NativeKb ?? row.Baseline.AnonymousKb, row.End.NativeKb ?? row.End.AnonymousKb),
                Change(row.Baseline.FileKb, row.End.FileKb), Change(row.Baseline.SharedKb, row.End.SharedKb),
                row.Baseline.JitMethods is null ? "" : $"{MarkdownWriter.Number(row.Baseline.JitMethods.Value)} → {MarkdownWriter.Number(row.End.JitMethods ?? 0)}",
            ]));
        markdown.Line("Resident = anonymous + mapped files + shared. Anonymous = what the GC holds (committed) + the rest, native. " +
                      "A process without GC figures (no `--metrics` URL, or not .NET) shows all its anonymous memory as native.").Blank();

        static string Change(long? fromKb, long? toKb) =>
            fromKb is null || toKb is null ? "" : $"{MarkdownWriter.Number(Math.Round(fromKb.Value / 1024.0, 1))} → {MarkdownWriter.Number(Math.Round(toKb.Value / 1024.0, 1))}";
    }

    /// <summary>Resident memory over time.</summary>
    public override PlotSpec Plot() => new(
        "soak: resident memory over time",
        "minutes since the load started",
        "resident memory (MB)",
        Series(sample => sample.ResidentKb.ToDictionary(pair => pair.Key, pair => pair.Value / 1024.0)));

    public override IEnumerable<(string Name, PlotSpec Plot)> Plots()
    {
        yield return ("plot", Plot());
        yield return ("cpu", new PlotSpec(
            "soak: CPU over time",
            "minutes since the load started",
            "cores busy (average since the previous sample)",
            Series(sample => sample.Cores)));
    }

    private PlotSeries[] Series(Func<ResourceSample, IReadOnlyDictionary<string, double>> values)
    {
        var names = Samples.Count == 0 ? [] : Samples[0].ResidentKb.Keys.ToArray();
        return [.. names.Select(name => new PlotSeries(name, Samples
            .Where(sample => values(sample).ContainsKey(name))
            .Select(sample => (sample.AtSeconds / 60, values(sample)[name]))
            .ToArray()))];
    }
}
