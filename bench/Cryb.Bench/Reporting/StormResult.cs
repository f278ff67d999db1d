using Cryb.Bench.Measurement;

namespace Cryb.Bench.Reporting;

/// <summary>The result of <c>storm</c>: the load through it (sends, deliveries, correctness) and the comeback.</summary>
public sealed class StormResult(MessageLoadResult load, StormFigures storm) : ScenarioResult(load.Run)
{
    /// <summary>The target: p99 of kill-to-resumed (Ready and the channel resumed) under 10 s.</summary>
    public const double TargetP99Ms = 10_000;

    public override object Options => Load.Options;

    public MessageLoadResult Load { get; } = load;

    public StormFigures Storm { get; } = storm;

    public override IReadOnlyList<string> Failures =>
    [
        .. Load.Failures,
        .. Storm.Recovered < Storm.Connections ? [$"{Storm.Connections - Storm.Recovered} of {Storm.Connections} clients never resumed"] : Array.Empty<string>(),
        .. Storm.Died.Select(name => $"{name} died during the storm; only the killed gateway may"),
    ];

    public override void WriteSummary(MarkdownWriter markdown)
    {
        var resumed = Storm.KillToResumed;
        markdown.Heading("The storm (ms from the kill)", 3)
            .Line($"{Storm.Killed} was killed holding {MarkdownWriter.Number(Storm.Connections)} connections; {MarkdownWriter.Number(Storm.Recovered)} reconnected to the other gateway and resumed their channel, " +
                  $"filling {MarkdownWriter.Number(Storm.MissedFilled)} missed messages. The most attempts one client needed: {Storm.MostAttempts}. " +
                  $"Target p99 kill-to-resumed under {TargetP99Ms / 1000:0} s: **{(resumed.P99 < TargetP99Ms && Storm.Recovered == Storm.Connections ? "met" : "missed")}** ({MarkdownWriter.Number(resumed.P99)} ms). " +
                  $"Other processes that died: {(Storm.Died.Count == 0 ? "none" : string.Join(", ", Storm.Died))}.").Blank()
            .Table(
                ["", "clients", "p50", "p95", "p99", "p99.9", "max"],
                [
                    ["kill to Ready", Storm.KillToReady.Count, Storm.KillToReady.P50, Storm.KillToReady.P95, Storm.KillToReady.P99, Storm.KillToReady.P999, Storm.KillToReady.Max],
                    ["kill to resumed", resumed.Count, resumed.P50, resumed.P95, resumed.P99, resumed.P999, resumed.Max],
                ]);
        markdown.Heading("Failed attempts on the way, by code", 3);
        if (Storm.Refusals.Count == 0)
        {
            markdown.Line("None: every client got in at its first attempt.").Blank();
        }
        else
        {
            markdown.Table(["code", "attempts"], Storm.Refusals.Select(pair => (IReadOnlyList<object?>)[pair.Key, pair.Value]));
        }

        if (Storm.Cpu is { } cpu)
        {
            SummarySections.Cpu(markdown, [("from the kill until the last client resumed", cpu)]);
        }

        Load.WriteSummary(markdown);
    }

    public override PlotSpec Plot() => new(
        $"storm: clients resumed after {Storm.Killed} was killed holding {MarkdownWriter.Number(Storm.Connections)} connections",
        "seconds since the kill",
        "clients resumed",
        [new("resumed", [.. Storm.ResumedOverTime.Select(point => (point.Seconds, (double)point.Clients))])]);
}

/// <summary>How the killed gateway's clients came back.</summary>
/// <param name="KillToReady">From the kill to each client's <c>Ready</c> on the other gateway.</param>
/// <param name="KillToResumed">From the kill until each client had resumed its channel (<c>JoinChannel</c> from its last seq answered).</param>
/// <param name="Refusals">Failed attempts by code (<c>try_again</c>: shed by the gateway; <c>timeout</c>, <c>connection_closed</c>, ...).</param>
/// <param name="MissedFilled">Messages the resumes returned: sent while the clients were away.</param>
/// <param name="Died">Monitored processes other than the killed gateway that were gone after the storm.</param>
/// <param name="ResumedOverTime">Clients resumed by each moment (seconds since the kill), at most about 200 points.</param>
public sealed record StormFigures(
    string Killed, int Connections, int Recovered, LatencySummary KillToReady, LatencySummary KillToResumed,
    IReadOnlyDictionary<string, long> Refusals, int MostAttempts, int MissedFilled, CpuReport? Cpu, IReadOnlyList<string> Died,
    IReadOnlyList<ResumedPoint> ResumedOverTime);

/// <summary>How many clients had resumed <paramref name="Seconds"/> after the kill.</summary>
public sealed record ResumedPoint(double Seconds, int Clients);
