using System.Text.Json;
using System.Text.Json.Nodes;
using Cryb.Bench.Load;

namespace Cryb.Bench.Reporting;

/// <summary>
/// The same scenario run by the same generator against Cryb and against baselines, one after the
/// other (<c>./cryb bench &lt;scenario&gt; --compare socketio|signalr</c>): one row per system and
/// the ratio of Cryb's figures to each baseline's. Written as <c>result.json</c> and
/// <c>summary.md</c>; the README's tables are made from committed ones (<see cref="ReadmeBlocks"/>).
/// </summary>
/// <param name="Command">The command that produced the runs, as typed (<c>./cryb bench ...</c>).</param>
/// <param name="Sources">The result directories compared, first Cryb's.</param>
public sealed record ComparisonResult(string Scenario, string Command, DateTimeOffset StartedAt, int ProcessorCount, IReadOnlyList<SystemFigures> Systems, IReadOnlyList<string> Sources)
{
    public bool Passed => Systems.All(system => system.Passed);

    /// <summary>Cryb's figures over each baseline's: above 1 means Cryb did more (rates) or took longer (latency, CPU).</summary>
    public IReadOnlyList<SystemRatio> Ratios => [.. Systems.Skip(1).Select(baseline => SystemRatio.Between(Systems[0], baseline))];

    public static ComparisonResult Of(IReadOnlyList<MessageLoadResult> results, string command, IReadOnlyList<string> sources)
    {
        var scenarios = results.Select(result => result.Run.Scenario).Distinct().ToArray();
        if (scenarios.Length != 1)
        {
            throw new InvalidDataException($"Only runs of one scenario compare; these are {string.Join(", ", scenarios)}.");
        }

        return new ComparisonResult(
            scenarios[0], command, results.Min(result => result.Run.StartedAt), results[0].Run.ProcessorCount,
            [.. results.Select(SystemFigures.Of)], sources);
    }

    /// <summary>Reads a comparison's <c>result.json</c>, or a message scenario's, which compares one system with nothing.</summary>
    public static ComparisonResult Load(string path)
    {
        var text = File.ReadAllText(path);
        if (JsonNode.Parse(text)?["systems"] is not null)
        {
            return JsonSerializer.Deserialize<ComparisonResult>(text, ResultWriter.JsonOptions)
                ?? throw new InvalidDataException($"{path} holds no comparison.");
        }

        var single = ResultWriter.ReadMessageLoad(path);
        return Of([single], single.Invocation ?? single.CommandLine ?? "", [Path.GetDirectoryName(path) ?? "."]);
    }

    /// <summary>The tables: rates and latency with a ratio row per baseline, then CPU per acknowledged send by role.</summary>
    public void WriteTables(MarkdownWriter markdown)
    {
        foreach (var ratio in Ratios)
        {
            markdown.Line($"**{ratio.Of} ÷ {ratio.To}, {Systems[0].HeadlineName}: {Times(ratio.Headline)}**").Blank();
        }

        markdown.Table(
            ["system", "acked sends/s", "deliveries/s", "e2e p50 ms", "e2e p99 ms", "e2e p99.9 ms", "ack p50 ms", "ack p99 ms", "ack p99.9 ms",
             "lost · duplicated · out of order · unacked", "generator share", "verdict"],
            [
                .. Systems.Select(s => (IReadOnlyList<object?>)
                [
                    Label(s), s.AckedSendsPerSecond, s.DeliveriesPerSecond,
                    s.EndToEnd.P50, s.EndToEnd.P99, s.EndToEnd.P999, s.Ack.P50, s.Ack.P99, s.Ack.P999,
                    $"{s.Correctness.LostDeliveries} · {s.Correctness.Duplicates} · {s.Correctness.OutOfOrder}{(s.System.PromisesOrder() ? "" : " (not promised)")} · {s.UnacknowledgedSends}",
                    $"{s.GeneratorShare:P0} ({MarkdownWriter.Number(s.GeneratorCores, 2)} cores)",
                    s.Passed ? "pass" : "FAIL",
                ]),
                .. Ratios.Select(r => (IReadOnlyList<object?>)
                [
                    $"{r.Of} ÷ {r.To}", Times(r.AckedSends), Times(r.Deliveries),
                    Times(r.EndToEndP50), Times(r.EndToEndP99), Times(r.EndToEndP999), Times(r.AckP50), Times(r.AckP99), Times(r.AckP999), "", "", "",
                ]),
            ]);
        markdown.Table(
            ["CPU µs", "front per delivered frame", .. SystemFigures.Roles.Select(role => $"{role} per send")],
            Systems.Select(s => (IReadOnlyList<object?>)
            [
                Label(s), s.FrontCpuPerDeliveryMicros is { } front ? MarkdownWriter.Number(front, 1) : "-",
                .. SystemFigures.Roles.Select(role => s.CpuPerSendByRole.TryGetValue(role, out var micros) && micros > 0 ? MarkdownWriter.Number(micros, 1) : "-"),
            ]));
        foreach (var system in Systems.Where(system => !system.Passed))
        {
            markdown.Line($"- {system.System.Label()} failed: {string.Join("; ", system.Failures)}");
        }

        if (Systems.Any(system => !system.Passed))
        {
            markdown.Blank();
        }
    }

    /// <summary>The whole <c>summary.md</c>: the command, the tables, and CPU per send of every process.</summary>
    public string Summary()
    {
        var markdown = new MarkdownWriter()
            .Heading($"cryb bench: {Scenario}, {string.Join(" against ", Systems.Select(s => s.System.Label()))}", 1)
            .Line($"- command: `{Command}`")
            .Line($"- {StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, {ProcessorCount} cores; the systems ran one after the other on the same PostgreSQL and Redis, the other's processes stopped")
            .Line($"- results: {string.Join(", ", Sources)}")
            .Line($"- verdict: {(Passed ? "**pass**" : "**FAIL**")}")
            .Blank();
        WriteTables(markdown);
        markdown.Heading("CPU µs per acknowledged send, by process", 3);
        foreach (var system in Systems)
        {
            markdown.Line($"- {system.System.Label()}: {string.Join(", ", system.CpuPerSendMicros.Select(pair => $"{pair.Key} {MarkdownWriter.Number(pair.Value, 1)}"))}");
        }

        return markdown.Blank().ToString();
    }

    private static string Label(SystemFigures system)
    {
        string[] notes = [.. new[] { system.Client == BenchClientKind.Official ? "official client" : null, system.Step is { } best ? $"step {best}" : null }.OfType<string>()];
        return notes.Length == 0 ? system.System.Label() : $"{system.System.Label()} ({string.Join(", ", notes)})";
    }

    private static string Times(double? ratio) => ratio is { } value ? $"×{MarkdownWriter.Number(value, 2)}" : "-";
}

/// <summary>One system's figures over another's; null where the other's figure is 0.</summary>
public sealed record SystemRatio(
    string Of, string To, double? Headline, double? AckedSends, double? Deliveries,
    double? EndToEndP50, double? EndToEndP99, double? EndToEndP999, double? AckP50, double? AckP99, double? AckP999)
{
    public static SystemRatio Between(SystemFigures of, SystemFigures to)
    {
        static double? Over(double a, double b) => b > 0 ? Math.Round(a / b, 2) : null;
        return new SystemRatio(
            of.System.Label(), to.System.Label(),
            Over(of.Headline, to.Headline), Over(of.AckedSendsPerSecond, to.AckedSendsPerSecond), Over(of.DeliveriesPerSecond, to.DeliveriesPerSecond),
            Over(of.EndToEnd.P50, to.EndToEnd.P50), Over(of.EndToEnd.P99, to.EndToEnd.P99), Over(of.EndToEnd.P999, to.EndToEnd.P999),
            Over(of.Ack.P50, to.Ack.P50), Over(of.Ack.P99, to.Ack.P99), Over(of.Ack.P999, to.Ack.P999));
    }
}
