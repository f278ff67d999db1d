using Cryb.Bench.Load;
using Cryb.Bench.Measurement;

namespace Cryb.Bench.Reporting;

/// <summary>One measured window of a message scenario at one offered rate.</summary>
/// <param name="PerSenderRate">Messages per second each sender was asked to send.</param>
/// <param name="OfferedSendsPerSecond">Senders × rate: what the open model offered.</param>
/// <param name="AchievedSendsPerSecond">Acknowledgements (persisted sends) that arrived per second of the window.</param>
/// <param name="DeliveriesPerSecond">MessageCreated events (first deliveries) that arrived per second of the window.</param>
/// <param name="EndToEnd">Delivery time minus intended send time, for messages intended in the window.</param>
/// <param name="Ack">Acknowledgement time minus intended send time, same messages.</param>
/// <param name="Errors">Failed sends and dropped connections by code, warmup included.</param>
/// <param name="FailedSends">Sends of the step, warmup included, that failed or were refused.</param>
/// <param name="PendingAfterDrain">Sends still unanswered when the drain ended.</param>
/// <param name="Correctness">Cumulative over the run, checked after this step's drain.</param>
/// <param name="Failures">Why the step failed (<see cref="StepVerdict"/>); empty when it passed.</param>
public sealed record LoadStepResult(
    int Step,
    double PerSenderRate,
    int Senders,
    double WarmupSeconds,
    double DurationSeconds,
    double OfferedSendsPerSecond,
    long SentInWindow,
    long AckedInWindow,
    double AchievedSendsPerSecond,
    long DeliveriesInWindow,
    double DeliveriesPerSecond,
    LatencySummary EndToEnd,
    LatencySummary Ack,
    IReadOnlyDictionary<string, long> Errors,
    long FailedSends,
    long PendingAfterDrain,
    double DrainSeconds,
    CpuReport Cpu,
    CorrectnessReport Correctness,
    IReadOnlyList<string> Failures)
{
    /// <summary>The first few distinct messages of each error code.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ErrorExamples { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public bool Passed => Failures.Count == 0;

    /// <summary>Sends never acknowledged: failed, refused, or unanswered when the drain ended.</summary>
    public long UnacknowledgedSends => FailedSends + PendingAfterDrain;

    public long ErrorCount => Errors.Values.Sum();

    /// <summary>Achieved over offered sends.</summary>
    public double AchievedRatio => OfferedSendsPerSecond > 0 ? AchievedSendsPerSecond / OfferedSendsPerSecond : 0;
}
