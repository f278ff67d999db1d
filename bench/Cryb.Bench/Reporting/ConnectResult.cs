using Cryb.Bench.Measurement;

namespace Cryb.Bench.Reporting;

/// <summary>The result of <c>connect</c>.</summary>
/// <param name="ConnectToReady">From each connection's intended start to its <c>Ready</c> event.</param>
/// <param name="AchievedPerSecond">Connections that got Ready, per second from the first intended start to the last Ready.</param>
/// <param name="StillOpen">Connections still open after the hold.</param>
/// <param name="Dropped">Connections that got Ready and then closed during the hold: a failure.</param>
public sealed class ConnectResult(
    RunInfo run, object options, int attempted, int connected, IReadOnlyDictionary<string, long> errors, LatencySummary connectToReady,
    double offeredPerSecond, double achievedPerSecond, int stillOpen, int dropped, CpuReport cpu) : ScenarioResult(run)
{
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

    public override IReadOnlyList<string> Failures =>
        Dropped > 0 ? [$"{Dropped} connections closed after Ready while held"] : [];

    public override void WriteSummary(MarkdownWriter markdown)
    {
        markdown.Heading("Connections (ms from intended start to Ready)", 3).Table(
            ["offered/s", "achieved/s", "attempted", "connected", "failed", "p50", "p95", "p99", "p99.9", "max", "still open after hold", "dropped"],
            [[OfferedPerSecond, AchievedPerSecond, Attempted, Connected, Attempted - Connected,
              ConnectToReady.P50, ConnectToReady.P95, ConnectToReady.P99, ConnectToReady.P999, ConnectToReady.Max, StillOpen, Dropped]]);
        SummarySections.Errors(markdown, Errors);
        SummarySections.Cpu(markdown, [("arrivals", Cpu)]);
    }

    public override PlotSpec Plot()
    {
        PlotSeries Series(string name, double value) => new(name, [(OfferedPerSecond, value)]);
        return new PlotSpec(
            "connect: connect-to-Ready latency against offered connections/s",
            "offered connections/s",
            "connect to Ready (ms)",
            [Series("p50", ConnectToReady.P50), Series("p95", ConnectToReady.P95), Series("p99", ConnectToReady.P99)]);
    }
}
