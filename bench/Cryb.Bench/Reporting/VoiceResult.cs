using Cryb.Bench.Measurement;
using Cryb.Bench.Scenarios;

namespace Cryb.Bench.Reporting;

/// <summary>The result of <c>voice</c>: the calls, their <c>VoiceStateUpdated</c> at the watchers, and the checks.</summary>
/// <param name="Actors">Members making voice calls.</param>
/// <param name="Seeded">How the members came into the server.</param>
public sealed class VoiceResult(
    RunInfo run, VoiceOptions options, string guildId, int channels, int actors, string seeded, VoiceFigures figures) : ScenarioResult(run)
{
    public override object Options { get; } = options;
    public string GuildId { get; } = guildId;
    public int Channels { get; } = channels;
    public int Actors { get; } = actors;
    public string Seeded { get; } = seeded;
    public VoiceFigures Figures { get; } = figures;

    /// <summary>The issue's target: <c>VoiceStateUpdated</c> p99 to the server's members, in ms.</summary>
    public double TargetP99Milliseconds => VoiceScenario.TargetP99Milliseconds;

    /// <summary>Whether the delivery p99 met <see cref="TargetP99Milliseconds"/> (and anything was delivered).</summary>
    public bool TargetMet => Figures.Delivery.Count > 0 && Figures.Delivery.P99 < TargetP99Milliseconds;

    public override IReadOnlyList<string> Failures
    {
        get
        {
            var f = Figures;
            var c = f.Correctness;
            var failures = CallFailures.Of("calls", "call", "every actor", f.Succeeded, f.Errors, f.Unanswered, f.NotStarted);

            if (c.Lost > 0)
            {
                failures.Add($"{c.Lost} VoiceStateUpdated deliveries lost");
            }

            if (c.OutOfOrder > 0)
            {
                failures.Add($"{c.OutOfOrder} VoiceStateUpdated out of order");
            }

            if (c.Unexpected > 0)
            {
                failures.Add($"{c.Unexpected} VoiceStateUpdated that no call explains");
            }

            return failures;
        }
    }

    public override void WriteSummary(MarkdownWriter markdown)
    {
        var f = Figures;
        var c = f.Correctness;
        markdown.Line($"Server `{GuildId}`: {MarkdownWriter.Number(Channels)} voice channels, {MarkdownWriter.Number(Actors + c.Watchers)} members connected ({Seeded}); " +
                      $"{MarkdownWriter.Number(Actors)} make voice calls, {MarkdownWriter.Number(c.Watchers)} others read and time every `VoiceStateUpdated` (the rest receive them unread).").Blank();
        markdown.Heading("VoiceStateUpdated to the server's members (ms from the call's intended start to the event's arrival at each watcher)", 3)
            .Line($"Target p99 under {MarkdownWriter.Number(TargetP99Milliseconds)} ms: **{(TargetMet ? "pass" : "FAIL")}** " + (f.Delivery.Count == 0
                ? $"(no event of a measured call reached any of the {MarkdownWriter.Number(c.Watchers)} watchers by the end of the drain)."
                : $"(p99 {MarkdownWriter.Number(f.Delivery.P99)} ms over {MarkdownWriter.Number(f.Delivery.Count)} deliveries to {MarkdownWriter.Number(c.Watchers)} watchers).")).Blank()
            .Table(
                ["deliveries timed", "p50", "p95", "p99", "p99.9", "max"],
                [[f.Delivery.Count, f.Delivery.P50, f.Delivery.P95, f.Delivery.P99, f.Delivery.P999, f.Delivery.Max]]);

        markdown.Heading("Calls (ms from intended start to the answer)", 3)
            .Line($"Open model at {MarkdownWriter.Number(f.OfferedPerSecond)} calls/s; {MarkdownWriter.Number(f.Attempted)} started in the window ({MarkdownWriter.Number(f.NotStarted)} more were due while every actor waited on an answer), " +
                  $"{MarkdownWriter.Number(f.Succeeded)} succeeded: {MarkdownWriter.Number(f.AnsweredPerSecond)} calls/s from the window's start to the last answer.").Blank()
            .Table(
                ["call", "made", "p50", "p95", "p99", "p99.9", "max"],
                [
                    ["all", f.Attempted, f.Call.P50, f.Call.P95, f.Call.P99, f.Call.P999, f.Call.Max],
                    .. f.CallsByKind.Select(pair => (IReadOnlyList<object?>)
                    [
                        $"{pair.Key} ({KindText(pair.Key)})", f.MadeByKind.GetValueOrDefault(pair.Key), pair.Value.P50, pair.Value.P95, pair.Value.P99, pair.Value.P999, pair.Value.Max,
                    ]),
                ]);
        SummarySections.Errors(markdown, f.Errors, "Failed calls by code", f.ErrorExamples);

        markdown.Heading("Correctness (after the drain)", 3).Table(
            ["watchers", "expected deliveries", "delivered", "lost", "out of order", "unexplained", "calls unanswered", "calls not started"],
            [[c.Watchers, c.Expected, c.Delivered, c.Lost, c.OutOfOrder, c.Unexpected, f.Unanswered, f.NotStarted]]);
        markdown.Line("Each watcher checks that the server's voice versions only grow, and that every call that succeeded reached it once, in each actor's order.").Blank();

        SummarySections.Cpu(markdown, [("voice calls", f.Cpu)]);
    }

    private static string KindText(string kind) => kind switch
    {
        "join" => "JoinVoice from outside",
        "move" => "JoinVoice into another channel",
        "leave" => "LeaveVoice",
        "update" => "UpdateVoiceState",
        _ => kind,
    };

    /// <summary>Delivery latency per second of the window, by the calls' intended start.</summary>
    public override PlotSpec Plot()
    {
        PlotSeries Series(string name, Func<LatencySummary, double> value) =>
            new(name, [.. Figures.DeliveryBySecond.Select((latency, second) => ((double)second + 1, value(latency)))]);
        return new PlotSpec(
            $"voice: {MarkdownWriter.Number(Figures.OfferedPerSecond)} calls/s, VoiceStateUpdated to {Figures.Correctness.Watchers} watchers",
            "second of the window",
            "intended start to arrival (ms)",
            [Series("p50", latency => latency.P50), Series("p99", latency => latency.P99)]);
    }
}

/// <summary>What the measured window's calls did.</summary>
/// <param name="AnsweredPerSecond">Successful window calls over the time from the window's start to the last answer.</param>
/// <param name="Attempted">Calls due in the window and started.</param>
/// <param name="Unanswered">Started in the window, never answered by the end of the drain.</param>
/// <param name="NotStarted">Due in the window, not started: every actor still waited on its last call.</param>
/// <param name="Call">Every answered call, from its intended start.</param>
/// <param name="Delivery">Every delivery of a window call's event to a watcher, from the call's intended start.</param>
public sealed record VoiceFigures(
    double OfferedPerSecond, double AnsweredPerSecond, long Attempted, long Succeeded, long Unanswered, long NotStarted,
    IReadOnlyDictionary<string, long> MadeByKind,
    IReadOnlyDictionary<string, long> Errors, IReadOnlyDictionary<string, IReadOnlyList<string>> ErrorExamples,
    IReadOnlyDictionary<string, LatencySummary> CallsByKind, LatencySummary Call, LatencySummary Delivery,
    IReadOnlyList<LatencySummary> DeliveryBySecond, VoiceCorrectness Correctness, CpuReport Cpu);

/// <summary>What the watchers heard of the window's calls.</summary>
/// <param name="Expected">Successful window calls × watchers.</param>
/// <param name="Lost">Expected deliveries no watcher matched by the end of the drain.</param>
/// <param name="OutOfOrder">Events whose version was not above the last one their watcher heard.</param>
/// <param name="Unexpected">Events of an actor that no call of theirs explains.</param>
public sealed record VoiceCorrectness(int Watchers, long Expected, long Delivered, long Lost, long OutOfOrder, long Unexpected);
