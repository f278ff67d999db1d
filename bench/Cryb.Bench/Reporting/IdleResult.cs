using Cryb.Bench.Measurement;

namespace Cryb.Bench.Reporting;

/// <summary>The result of <c>idle</c>.</summary>
public sealed class IdleResult(RunInfo run, object options, IReadOnlyList<IdleStep> steps, IdleSlopes slopes, int stillOpen, int dropped) : ScenarioResult(run)
{
    public override object Options { get; } = options;
    public IReadOnlyList<IdleStep> Steps { get; } = steps;
    public IdleSlopes Slopes { get; } = slopes;
    public int StillOpen { get; } = stillOpen;
    public int Dropped { get; } = dropped;

    public override IReadOnlyList<string> Failures =>
        Dropped > 0 ? [$"{Dropped} idle connections were closed"] : [];

    public override void WriteSummary(MarkdownWriter markdown)
    {
        markdown.Heading("Memory per idle connection (least-squares slope over the steps)", 3);
        if (Run.Processes.Count == 0)
        {
            markdown.Line("No --process was given: only the generator's memory is known.").Blank();
        }

        markdown.Table(["group", "KB per connection"],
                [["gateways", Slopes.GatewaysKbPerConnection], ["silos", Slopes.SilosKbPerConnection],
                 .. Slopes.PerProcessKbPerConnection.Select(pair => (IReadOnlyList<object?>)[pair.Key, pair.Value])]);
        markdown.Heading("Resident memory at each step (MB)", 3).Table(
            ["connections", "gateways", "silos", .. Run.Processes.Select(p => p.Name), "bench"],
            Steps.Select(step => (IReadOnlyList<object?>)
            [
                step.Connections, step.GatewaysKb / 1024.0, step.SilosKb / 1024.0,
                .. Run.Processes.Select(p => step.ResidentKb.TryGetValue(p.Name, out var kb) ? kb / 1024.0 : (object?)null),
                step.GeneratorKb / 1024.0,
            ]));
        markdown.Line($"Still open at the end: {StillOpen}; closed by the server: {Dropped}.").Blank();
        WriteWhereTheMemoryIs(markdown);
        SummarySections.Cpu(markdown, Steps.Select(step => ($"{step.Connections} idle", step.SettleCpu)).ToArray());
    }

    /// <summary>
    /// Each gateway's memory per connection split into its parts: the GC's heap (our objects and
    /// the frameworks'), what the GC holds beyond it, and what is outside the GC (native buffers,
    /// the runtime, code).
    /// </summary>
    private void WriteWhereTheMemoryIs(MarkdownWriter markdown)
    {
        var gateways = Run.Processes.Where(process => process.IsGateway).Select(process => process.Name)
            .Where(name => Steps.All(step => step.Memory?.Runtime.ContainsKey(name) == true && step.Memory.Parts.ContainsKey(name)))
            .ToArray();
        if (gateways.Length == 0)
        {
            return;
        }

        double Slope(Func<IdleStep, double> kb) => Math.Round(LeastSquares.Slope(Steps.Select(step => ((double)step.Connections, kb(step))).ToArray()), 2);
        markdown.Heading("Where a gateway's memory per connection is (KB, slope over the steps)", 3).Table(
            ["gateway", "resident", "anonymous", "GC heap after the last collection", "GC committed", "outside the GC (anonymous - committed)"],
            gateways.Select(name => (IReadOnlyList<object?>)
            [
                name,
                Slope(step => step.Memory!.Parts[name].ResidentKb),
                Slope(step => step.Memory!.Parts[name].AnonymousKb),
                Slope(step => step.Memory!.Runtime[name].GcHeapKb),
                Slope(step => step.Memory!.Runtime[name].GcCommittedKb),
                Slope(step => step.Memory!.Parts[name].AnonymousKb - step.Memory!.Runtime[name].GcCommittedKb),
            ]));
        markdown.Heading("The same at each step (MB)", 3).Table(
            ["connections", "gateway", "resident", "anonymous", "GC heap", "GC committed"],
            Steps.SelectMany(step => gateways.Select(name => (IReadOnlyList<object?>)
            [
                step.Connections, name,
                step.Memory!.Parts[name].ResidentKb / 1024.0,
                step.Memory!.Parts[name].AnonymousKb / 1024.0,
                step.Memory!.Runtime[name].GcHeapKb / 1024.0,
                step.Memory!.Runtime[name].GcCommittedKb / 1024.0,
            ])));
    }

    public override PlotSpec Plot() => new(
        "idle: resident memory against idle connections on one gateway",
        "idle connections",
        "resident memory (MB)",
        [
            new("gateways", Steps.Select(step => ((double)step.Connections, step.GatewaysKb / 1024.0)).ToArray()),
            new("silos", Steps.Select(step => ((double)step.Connections, step.SilosKb / 1024.0)).ToArray()),
        ]);
}

/// <summary>Memory after one step of <c>idle</c>, and the CPU the cluster spent while it settled.</summary>
public sealed record IdleStep(int Connections, IReadOnlyDictionary<string, long> ResidentKb, long GatewaysKb, long SilosKb, long GeneratorKb, CpuReport SettleCpu)
{
    /// <summary>The parts of each process's memory and the GC's figures, read with the rest; null in results from before they were.</summary>
    public ResourceSample? Memory { get; init; }

    public static IdleStep Read(int connections, IReadOnlyList<MonitoredProcess> processes, CpuReport cpu)
    {
        var resident = new Dictionary<string, long>();
        long gateways = 0, silos = 0;
        foreach (var process in processes)
        {
            var kb = ResidentMemory.Of(process.Pid)?.ResidentKb ?? 0;
            resident[process.Name] = kb;
            gateways += process.IsGateway ? kb : 0;
            silos += process.IsSilo ? kb : 0;
        }

        return new IdleStep(connections, resident, gateways, silos, ResidentMemory.Of(Environment.ProcessId)?.ResidentKb ?? 0, cpu);
    }
}

/// <summary>KB of resident memory each idle connection adds.</summary>
public sealed record IdleSlopes(double GatewaysKbPerConnection, double SilosKbPerConnection, IReadOnlyDictionary<string, double> PerProcessKbPerConnection)
{
    public static IdleSlopes Of(IReadOnlyList<IdleStep> steps, IReadOnlyList<MonitoredProcess> processes)
    {
        double Slope(Func<IdleStep, double> kb) => Math.Round(LeastSquares.Slope(steps.Select(step => ((double)step.Connections, kb(step))).ToArray()), 2);
        return new IdleSlopes(
            Slope(step => step.GatewaysKb),
            Slope(step => step.SilosKb),
            processes.ToDictionary(process => process.Name, process => Slope(step => step.ResidentKb.GetValueOrDefault(process.Name))));
    }
}
