using Cryb.Bench.Measurement;
using Cryb.Bench.Scenarios;

namespace Cryb.Bench.Reporting;

/// <summary>The result of <c>friends</c>: the setup's relationship calls, the presence changes, their <c>PresenceUpdated</c> at the friends, and the checks.</summary>
public sealed class FriendsResult(RunInfo run, FriendsOptions options, FriendsSetup setup, FriendsFigures figures) : ScenarioResult(run)
{
    public override object Options { get; } = options;
    public FriendsSetup Setup { get; } = setup;
    public FriendsFigures Figures { get; } = figures;

    public override IReadOnlyList<string> Failures
    {
        get
        {
            var f = Figures;
            var c = f.Correctness;
            var failures = CallFailures.Of("SetPresence calls", "presence change", "the next user", f.Succeeded, f.Errors, f.Unanswered, f.NotStarted);

            if (c.Lost > 0)
            {
                failures.Add($"{c.Lost} PresenceUpdated deliveries to friends lost");
            }

            if (c.ToBlocked > 0)
            {
                failures.Add($"{c.ToBlocked} presences reached a user their subject blocked");
            }

            if (c.ToNonFriend > 0)
            {
                failures.Add($"{c.ToNonFriend} presences reached a user who is not the subject's friend");
            }

            if (c.Duplicated > 0)
            {
                failures.Add($"{c.Duplicated} presences heard twice");
            }

            if (c.Unexpected > 0)
            {
                failures.Add($"{c.Unexpected} presences of friends that no call explains");
            }

            return failures;
        }
    }

    public override void WriteSummary(MarkdownWriter markdown)
    {
        var f = Figures;
        var c = f.Correctness;
        var s = Setup;
        markdown.Line($"{MarkdownWriter.Number(s.Users)} users connected over both gateways, sharing no channel or server; {MarkdownWriter.Number(s.Friendships)} friendships on a ring " +
                      $"({MarkdownWriter.Number(s.FriendsEach)} friends each), then {MarkdownWriter.Number(s.Blocks)} users each blocked the friend after them. " +
                      $"Every connection reads and times every `PresenceUpdated` it receives.").Blank();

        markdown.Heading("PresenceUpdated to the friends (ms from SetPresence's intended start to the presence's arrival at each friend's connection)", 3)
            .Table(
                ["deliveries timed", "p50", "p95", "p99", "p99.9", "max"],
                [[f.Delivery.Count, f.Delivery.P50, f.Delivery.P95, f.Delivery.P99, f.Delivery.P999, f.Delivery.Max]]);

        markdown.Heading("SetPresence (ms from intended start to the answer)", 3)
            .Line($"Open model at {MarkdownWriter.Number(f.OfferedPerSecond)} changes/s; {MarkdownWriter.Number(f.Attempted)} started in the window ({MarkdownWriter.Number(f.NotStarted)} more were due while the next user still waited), " +
                  $"{MarkdownWriter.Number(f.Succeeded)} succeeded: {MarkdownWriter.Number(f.AnsweredPerSecond)} changes/s from the window's start to the last answer.").Blank()
            .Table(
                ["calls", "p50", "p95", "p99", "p99.9", "max"],
                [[f.Call.Count, f.Call.P50, f.Call.P95, f.Call.P99, f.Call.P999, f.Call.Max]]);
        SummarySections.Errors(markdown, f.Errors, "Failed SetPresence calls by code", f.ErrorExamples);

        markdown.Heading("Correctness (after the drain)", 3).Table(
            ["expected deliveries", "delivered", "lost", "to a blocked user", "to a non-friend", "heard twice", "unexplained", "calls unanswered", "calls not started"],
            [[c.Expected, c.Delivered, c.Lost, c.ToBlocked, c.ToNonFriend, c.Duplicated, c.Unexpected, f.Unanswered, f.NotStarted]]);
        markdown.Line("Expected: every change that succeeded, once at each of its user's friends (all online, one connection each). " +
                      "A presence from someone who is not a friend counts against the run, and one from a user who blocked the listener counts as a leak.").Blank();

        markdown.Heading("Setup (relationship calls through the hub, all users at once)", 3).Table(
            ["step", "calls", "seconds", "calls/s", "p50 ms", "p99 ms", "max ms"],
            [
                Step("SendFriendRequest", s.Requests),
                Step("AcceptFriendRequest", s.Accepts),
                Step("BlockUser", s.BlockCalls),
                ["requests and accepts", s.Requests.Calls + s.Accepts.Calls, s.Requests.Seconds + s.Accepts.Seconds, s.FriendCallsPerSecond, "", "", ""],
            ]);

        SummarySections.Cpu(markdown, [("presence changes", f.Cpu)]);
    }

    private static IReadOnlyList<object?> Step(string name, SetupStep step) =>
        [name, step.Calls, step.Seconds, step.PerSecond, step.Latency.P50, step.Latency.P99, step.Latency.Max];

    /// <summary>Delivery latency per second of the window, by the changes' intended start.</summary>
    public override PlotSpec Plot()
    {
        PlotSeries Series(string name, Func<LatencySummary, double> value) =>
            new(name, [.. Figures.DeliveryBySecond.Select((latency, second) => ((double)second + 1, value(latency)))]);
        return new PlotSpec(
            $"friends: {MarkdownWriter.Number(Figures.OfferedPerSecond)} presence changes/s, PresenceUpdated to {MarkdownWriter.Number(Setup.FriendsEach)} friends each",
            "second of the window",
            "intended start to arrival (ms)",
            [Series("p50", latency => latency.P50), Series("p99", latency => latency.P99)]);
    }
}

/// <summary>The relationships made before the load.</summary>
/// <param name="FriendsEach">Friends of each user before the blocks.</param>
/// <param name="Friendships">Friend requests accepted.</param>
/// <param name="Blocks">Users who blocked one friend.</param>
/// <param name="FriendCallsPerSecond">Requests and accepts over the time the two steps took.</param>
public sealed record FriendsSetup(
    int Users, int FriendsEach, long Friendships, int Blocks, SetupStep Requests, SetupStep Accepts, SetupStep BlockCalls, double FriendCallsPerSecond)
{
    /// <summary>Requests and accepts per second over both steps' time; 0 when they took none.</summary>
    public static double Rate(SetupStep requests, SetupStep accepts)
    {
        var seconds = requests.Seconds + accepts.Seconds;
        return seconds > 0 ? Math.Round((requests.Calls + accepts.Calls) / seconds, 1) : 0;
    }
}

/// <summary>One setup step: every call made at once (at the tool's setup concurrency), timed from the first start to the last answer.</summary>
public sealed record SetupStep(long Calls, double Seconds, double PerSecond, LatencySummary Latency)
{
    public static SetupStep Of(long calls, long micros, LatencySummary latency)
    {
        var seconds = Math.Round(micros / 1e6, 3);
        return new SetupStep(calls, seconds, seconds > 0 ? Math.Round(calls / seconds, 1) : 0, latency);
    }
}

/// <summary>What the measured window's presence changes did.</summary>
/// <param name="AnsweredPerSecond">Successful window calls over the time from the window's start to the last answer.</param>
/// <param name="Attempted">Calls due in the window and started.</param>
/// <param name="Unanswered">Started in the window, never answered by the end of the drain.</param>
/// <param name="NotStarted">Due in the window, not started: the next user still waited on its last call or changed under a second ago.</param>
/// <param name="Call">Every answered call, from its intended start.</param>
/// <param name="Delivery">Every delivery of a window change to a friend's connection, from the call's intended start.</param>
public sealed record FriendsFigures(
    double OfferedPerSecond, double AnsweredPerSecond, long Attempted, long Succeeded, long Unanswered, long NotStarted,
    IReadOnlyDictionary<string, long> Errors, IReadOnlyDictionary<string, IReadOnlyList<string>> ErrorExamples,
    LatencySummary Call, LatencySummary Delivery, IReadOnlyList<LatencySummary> DeliveryBySecond,
    FriendsCorrectness Correctness, CpuReport Cpu);

/// <summary>What the connections heard of the window's changes.</summary>
/// <param name="Expected">Over the successful window calls, the friends of each call's user.</param>
/// <param name="Delivered">Window changes heard by a friend, each once.</param>
/// <param name="Lost">Expected deliveries not heard by the end of the drain.</param>
/// <param name="ToBlocked">Presences that reached a user their subject blocked.</param>
/// <param name="ToNonFriend">Presences that reached a user who is not their subject's friend (blocks aside).</param>
/// <param name="Duplicated">A friend's change heard again.</param>
/// <param name="Unexpected">Presences of a friend that no call of theirs explains.</param>
public sealed record FriendsCorrectness(long Expected, long Delivered, long Lost, long ToBlocked, long ToNonFriend, long Duplicated, long Unexpected)
{
    /// <summary>The counts from what each listener heard; lost is what the expected exceed the delivered by.</summary>
    public static FriendsCorrectness Of(long expected, long delivered, long toBlocked, long toNonFriend, long duplicated, long unexpected) =>
        new(expected, delivered, Math.Max(0, expected - delivered), toBlocked, toNonFriend, duplicated, unexpected);
}
