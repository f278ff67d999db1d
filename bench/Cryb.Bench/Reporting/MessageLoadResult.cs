using Cryb.Bench.Load;

namespace Cryb.Bench.Reporting;

/// <summary>The result of <c>fanout</c>, <c>ramp</c> or <c>hot-channel</c>: one row per step, and the correctness verdict.</summary>
public sealed class MessageLoadResult(RunInfo run, object options, ShapeSummary shape, IReadOnlyList<LoadStepResult> steps, CorrectnessReport correctness, RampSummary? ramp = null)
    : ScenarioResult(run)
{
    public override object Options { get; } = options;

    public ShapeSummary Shape { get; } = shape;

    public IReadOnlyList<LoadStepResult> Steps { get; } = steps;

    public CorrectnessReport Correctness { get; } = correctness;

    /// <summary>Only for <c>ramp</c>.</summary>
    public RampSummary? Ramp { get; } = ramp;

    /// <summary>Every failing step's failures; a run of several steps names the step.</summary>
    public override IReadOnlyList<string> Failures =>
        [.. Steps.SelectMany(step => step.Failures.Select(failure => Steps.Count > 1 ? $"step {step.Step}: {failure}" : failure))];

    public override void WriteSummary(MarkdownWriter markdown)
    {
        markdown.Line($"{Shape.Clients} clients in {Shape.Channels} channel(s) of {Shape.MembersPerChannel} members; {Shape.Senders} senders; " +
                      $"{Shape.Gateways} gateway(s); every send is delivered to {Shape.MembersPerChannel} members (the sender included).").Blank();
        if (Ramp is { } ramp)
        {
            markdown.Heading("Ramp", 3).Line(ramp.BestStep is { } best
                ? $"Best step within p99 <= {ramp.P99BoundMs} ms: step {best} with **{MarkdownWriter.Number(ramp.MaxDeliveriesPerSecond)} deliveries/s** and **{MarkdownWriter.Number(ramp.MaxSendsPerSecond)} persisted sends/s**."
                : $"No step stayed within p99 <= {ramp.P99BoundMs} ms without loss or errors.").Line($"Stopped: {ramp.StopReason}.").Blank();
        }

        markdown.Heading("Load and latency (ms, from intended send time)", 3).Table(
            ["step", "rate/sender", "offered sends/s", "acked sends/s", "deliveries/s", "e2e p50", "e2e p95", "e2e p99", "e2e p99.9", "e2e max", "ack p50", "ack p99", "ack max", "errors", "unacknowledged", "verdict"],
            Steps.Select(step => (IReadOnlyList<object?>)
            [
                step.Step, step.PerSenderRate, step.OfferedSendsPerSecond, step.AchievedSendsPerSecond, step.DeliveriesPerSecond,
                step.EndToEnd.P50, step.EndToEnd.P95, step.EndToEnd.P99, step.EndToEnd.P999, step.EndToEnd.Max,
                step.Ack.P50, step.Ack.P99, step.Ack.Max, step.ErrorCount, step.UnacknowledgedSends, step.Passed ? "pass" : "FAIL",
            ]));
        SummarySections.Correctness(markdown, Correctness, Run.System);
        var errors = Steps.SelectMany(step => step.Errors).GroupBy(pair => pair.Key).ToDictionary(group => group.Key, group => group.Sum(pair => pair.Value));
        var examples = Steps.SelectMany(step => step.ErrorExamples).GroupBy(pair => pair.Key)
            .ToDictionary(group => group.Key, group => (IReadOnlyList<string>)[.. group.SelectMany(pair => pair.Value).Distinct().Take(ErrorCounter.ExamplesPerCode)]);
        SummarySections.Errors(markdown, errors, examples: examples);
        SummarySections.Cpu(markdown, Steps.Select(step => ($"step {step.Step}", step.Cpu)).ToArray());
    }

    public override PlotSpec Plot()
    {
        PlotSeries Series(string name, Func<LoadStepResult, double> value) =>
            new(name, Steps.Select(step => (step.OfferedSendsPerSecond, value(step))).ToArray());
        return new PlotSpec(
            $"{Run.Scenario}: end-to-end latency against offered load",
            "offered sends/s",
            "latency from intended send time (ms)",
            [Series("e2e p50", s => s.EndToEnd.P50), Series("e2e p95", s => s.EndToEnd.P95), Series("e2e p99", s => s.EndToEnd.P99), Series("ack p99", s => s.Ack.P99)]);
    }
}

/// <summary>The shape a message scenario ran.</summary>
public sealed record ShapeSummary(int Clients, int Channels, int MembersPerChannel, int Senders, int Gateways)
{
    public static ShapeSummary Of(LoadShape shape, int gateways) =>
        new(shape.Clients, shape.Channels, shape.MembersOf(0), shape.Senders, gateways);
}

/// <summary>Where a ramp stopped and the best step it found.</summary>
/// <param name="BestStep">The step with the most deliveries/s among those with p99 within the bound, no loss and no errors; null when none.</param>
public sealed record RampSummary(double P99BoundMs, string StopReason, int? BestStep, double MaxDeliveriesPerSecond, double MaxSendsPerSecond);
