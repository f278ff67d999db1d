using Cryb.Bench.Measurement;

namespace Cryb.Bench.Reporting;

/// <summary>The result of <c>connect</c>.</summary>
/// <param name="ConnectToReady">From each connection's intended start to its <c>Ready</c> event.</param>
/// <param name="AchievedPerSecond">Connections that got Ready, per second from the first intended start to the last Ready.</param>
/// <param name="StillOpen">Connections still open after the hold.</param>
/// <param name="Dropped">Connections that got Ready and then closed during the hold: a failure.</param>
/// <param name="ReadyBytes">The <c>Ready</c> frames' sizes (mean, max), as the lean client read them: what a connect makes the gateway write.</param>
/// <param name="BySecond">Connect-to-Ready of the connections meant to start in each second of the arrivals: where in the run a tail comes from.</param>
public sealed class ConnectResult(
    RunInfo run, object options, int attempted, int connected, IReadOnlyDictionary<string, long> errors, LatencySummary connectToReady,
    double offeredPerSecond, double achievedPerSecond, int stillOpen, int dropped, CpuReport cpu, IReadOnlyList<LatencySummary> bySecond, ReadySize? readyBytes) : ScenarioResult(run)
{
    public ReadySize? ReadyBytes { get; } = readyBytes;

    public IReadOnlyList<LatencySummary> BySecond { get; } = bySecond;

    public override object Options { get; } = options;
    public int Attempted { get; } = attempted;
    public int Connected { get; } = connected;
    public IReadOnlyDictionary<string, long> Errors { get; } = errors;
    public LatencySummary ConnectToReady { get; } = connectToReady;
    public double OfferedPerSecond { get; } = offeredPerSecond;
    public double AchievedPerSecond { get; } = achievedPerSecond;
    public int StillOpen { get; } = stillOpen;
    public int Dropped { get; } = dropped;
    public CpuReport Cpu { get; } = cpu;

    /// <summary>
    /// Methods each .NET process's JIT compiled during the arrivals, tier-ups included (from its
    /// metrics): thousands say the connects ran on code still being compiled (a fresh gateway, or
    /// no <c>--warmup</c>), tens that they ran on code already tiered up.
    /// </summary>
    public IReadOnlyDictionary<string, long> JitMethodsDuringArrivals { get; init; } = new Dictionary<string, long>();

    /// <summary>The target asks for no failures: a connection that never reached <c>Ready</c> fails the run, as one that closed after it does.</summary>
    public override IReadOnlyList<string> Failures =>
    [
        .. Attempted > Connected ? [$"{MarkdownWriter.Number(Attempted - Connected)} of {MarkdownWriter.Number(Attempted)} connections never reached Ready"] : Array.Empty<string>(),
        .. Dropped > 0 ? [$"{Dropped} connections closed after Ready while held"] : Array.Empty<string>(),
    ];

    public override void WriteSummary(MarkdownWriter markdown)
    {
        markdown.Heading("Connections (ms from intended start to Ready)", 3).Table(
            ["offered/s", "achieved/s", "attempted", "connected", "failed", "p50", "p95", "p99", "p99.9", "max", "still open after hold", "dropped"],
            [[OfferedPerSecond, AchievedPerSecond, Attempted, Connected, Attempted - Connected,
              ConnectToReady.P50, ConnectToReady.P95, ConnectToReady.P99, ConnectToReady.P999, ConnectToReady.Max, StillOpen, Dropped]]);
        if (ReadyBytes is { } ready)
        {
            markdown.Heading("Ready frame (bytes)", 3).Table(["mean", "max"], [[ready.Mean, ready.Max]]);
        }

        SummarySections.Errors(markdown, Errors);
        SummarySections.Cpu(markdown, [("arrivals", Cpu)]);
        if (JitMethodsDuringArrivals.Count > 0)
        {
            markdown.Heading("Methods compiled by the JIT during the arrivals (tier-ups included)", 3).Table(
                ["process", "methods"],
                JitMethodsDuringArrivals.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (IReadOnlyList<object?>)[pair.Key, pair.Value]));
        }

        if (BySecond.Count > 1)
        {
            markdown.Heading("By second of arrival (ms from intended start to Ready)", 3).Table(
                ["second", "connections", "p50", "p99", "max"],
                BySecond.Select((latency, second) => (IReadOnlyList<object?>)[second + 1, latency.Count, latency.P50, latency.P99, latency.Max]));
        }
    }

    /// <summary>Latency per second of arrival: a cold start and a steady state look different.</summary>
    public override PlotSpec Plot()
    {
        PlotSeries Series(string name, Func<LatencySummary, double> value) =>
            new(name, [.. BySecond.Select((latency, second) => ((double)second + 1, value(latency)))]);
        return new PlotSpec(
            $"connect: connect-to-Ready at {MarkdownWriter.Number(OfferedPerSecond)} connections/s offered",
            "second of arrivals",
            "connect to Ready (ms)",
            [Series("p50", latency => latency.P50), Series("p99", latency => latency.P99)]);
    }
}

/// <summary>The sizes of the <c>Ready</c> frames a run's connections read.</summary>
public sealed record ReadySize(long Mean, long Max)
{
    /// <summary>Null when no connection measured its frame (the official client does not).</summary>
    public static ReadySize? Of(IEnumerable<int> sizes)
    {
        var measured = sizes.Where(size => size > 0).ToArray();
        return measured.Length == 0 ? null : new ReadySize((long)Math.Round(measured.Average()), measured.Max());
    }
}
