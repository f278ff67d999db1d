using System.Text.Json;
using Cryb.Bench.Cli;
using Cryb.Bench.Load.Notifications;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;
using Cryb.Bench.Scenarios;

namespace Cryb.Tests.Bench;

/// <summary>
/// The pure parts of <c>notifications</c>: its command line, the time line of its two phases, how
/// a member's <c>NotificationCreated</c> is matched to its mention (first, twice, unexplained), the
/// throughput of a window and the ratio of the phases, and what its result says and writes.
/// </summary>
public sealed class NotificationsFiguresTests
{
    [Fact]
    public void A_notifications_command_line_sets_each_option_given_and_keeps_the_defaults_of_the_others()
    {
        var parse = BenchCommandLine.Root.Parse(
            ["notifications", "--gateways", "http://127.0.0.1:5080", "--members", "200", "--plain-servers", "4", "--senders", "8", "--duration", "20", "--mention-warmup", "5"],
            CommandLines.Parser);
        Assert.Empty(parse.Errors);

        var (_, options) = ((ScenarioCommand<NotificationsOptions>)ScenarioCatalog.Find("notifications")!).Read(parse);

        Assert.Equal((200, 4, 8, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5)), (options.Members, options.PlainServers, options.Senders, options.Duration, options.MentionWarmup));
        Assert.Equal((20, 10.0, TimeSpan.FromSeconds(60)), (options.PlainMembers, options.MentionRate, options.Warmup));
    }

    [Fact]
    public void The_defaults_are_the_issues_shape_and_the_target_is_80_percent()
    {
        var defaults = new NotificationsOptions();

        Assert.Equal((1_000, 10.0), (defaults.Members, defaults.MentionRate));
        Assert.Equal((10, 20, 20), (defaults.PlainServers, defaults.PlainMembers, defaults.Senders)); // small servers like fanout's, closed loop
        Assert.Equal(0.8, NotificationsScenario.TargetRatio);
    }

    [Fact]
    public void The_time_line_runs_phase_a_then_the_mentions_warm_up_then_phase_b_with_windows_of_equal_length()
    {
        var timeline = new NotifyTimeline(WarmupA: 10_000_000, Window: 20_000_000, WarmupB: 5_000_000);

        Assert.Equal(NotifyPhase.WarmupA, timeline.PhaseOf(9_999_999));
        Assert.Equal(NotifyPhase.A, timeline.PhaseOf(10_000_000));
        Assert.Equal(NotifyPhase.WarmupB, timeline.PhaseOf(30_000_000));
        Assert.Equal(NotifyPhase.B, timeline.PhaseOf(35_000_000));
        Assert.Equal(NotifyPhase.After, timeline.PhaseOf(55_000_000));
        Assert.Equal(30_000_000, timeline.MentionsStart);
        Assert.Equal(250, timeline.Mentions(rate: 10)); // 25 s from the mentions' warm-up
    }

    [Fact]
    public void A_window_rate_counts_over_the_window_or_until_the_last_answer_when_that_is_later()
    {
        var timeline = new NotifyTimeline(0, Window: 10_000_000, 0);

        Assert.Equal(20, timeline.AckedPerSecond(200, windowStart: 5_000_000, lastAnswer: 14_000_000));
        Assert.Equal(10, timeline.AckedPerSecond(200, windowStart: 5_000_000, lastAnswer: 25_000_000));
    }

    [Fact]
    public void A_member_counts_each_mention_once_times_only_the_first_and_an_unexplained_or_misdirected_notification_is_unexpected()
    {
        var tally = new MentionTally("chan", "owner", ["m1", "m2"], mentions: 3);

        Assert.Equal(0, tally.Heard("m1", Seen(MentionTally.Content(0))));
        Assert.Null(tally.Heard("m1", Seen(MentionTally.Content(0)))); // again
        Assert.Equal(2, tally.Heard("m2", Seen(MentionTally.Content(2))));
        Assert.Null(tally.Heard("owner", Seen(MentionTally.Content(1)))); // never to the author
        Assert.Null(tally.Heard("m2", Seen(MentionTally.Content(1)) with { Kind = "mention" }));
        Assert.Null(tally.Heard("m2", Seen(MentionTally.Content(1)) with { ChannelId = "other" }));
        Assert.Null(tally.Heard("m2", Seen("hello")));
        Assert.Null(tally.Heard("m2", Seen(MentionTally.Content(3)))); // past the run's mentions

        Assert.Equal((1L, 5L), (tally.Duplicates, tally.Unexpected));
        Assert.Equal((1L, 0L, 1L), (tally.HeardOf(0), tally.HeardOf(1), tally.HeardOf(2)));
        Assert.Equal(1 + 2 + 1, tally.MissedOf([0, 1, 2]));
        Assert.Equal(7, MentionTally.MentionOf(MentionTally.Content(7)));
        Assert.True(MentionTally.Content(99_999).Length <= 100); // comes back whole in the excerpt
    }

    [Fact]
    public void A_phase_counts_its_sends_by_outcome_and_the_ratio_is_b_over_a()
    {
        var timeline = new NotifyTimeline(0, Window: 1_000_000, 0);
        var sends = Enumerable.Range(0, 4).Select(i => new SendRecord(i * 250_000, NotifyPhase.A)).ToArray();
        sends[0].Answer("a", 100_000);
        sends[1].Answer("b", 400_000);
        sends[2].Fail();

        var a = PhaseFigures.Of("A", 4, sends, timeline, windowStart: 0, LatencySummary.Empty);
        Assert.Equal((4L, 2L, 2.0, 1L, 1L), (a.Sent, a.Acked, a.AckedPerSecond, a.Failed, a.Unanswered));

        var b = a with { AckedPerSecond = 1.5 };
        Assert.Equal(0.75, NotificationsFigures.Ratio(a, b));
        Assert.Equal(0, NotificationsFigures.Ratio(a with { AckedPerSecond = 0 }, b));
    }

    [Fact]
    public async Task A_result_reports_the_target_apart_from_correctness_fails_on_lost_or_missing_rows_and_writes_its_files()
    {
        var met = Result(ratioB: 19.8, lost: 0, fewestRows: 999);
        Assert.True(met.Passed);
        Assert.True(met.TargetMet);

        var missed = Result(ratioB: 15, lost: 0, fewestRows: 999);
        Assert.True(missed.Passed); // a missed target is a figure, not a correctness failure
        Assert.False(missed.TargetMet);

        var failed = Result(ratioB: 19.8, lost: 5, fewestRows: 994);
        Assert.Equal(["5 NotificationCreated deliveries lost", "a mention wrote 994 to 999 notification rows, not 999"], failed.Failures);

        var directory = Path.Combine(Path.GetTempPath(), $"cryb-notifications-{Guid.NewGuid():N}");
        try
        {
            Assert.Equal(["result.json", "summary.md", "plot.svg", "plot.png"], await ResultWriter.WriteAsync(missed, directory));
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "result.json"), TestContext.Current.CancellationToken));
            Assert.Equal("notifications", json.RootElement.GetProperty("run").GetProperty("scenario").GetString());
            var figures = json.RootElement.GetProperty("figures");
            Assert.Equal(0.75, figures.GetProperty("throughputRatio").GetDouble());
            Assert.Equal(9_990, figures.GetProperty("rows").GetProperty("rowsPerSecond").GetDouble());
            Assert.Equal(10, json.RootElement.GetProperty("options").GetProperty("mentionRate").GetDouble());
            var summary = await File.ReadAllTextAsync(Path.Combine(directory, "summary.md"), TestContext.Current.CancellationToken);
            Assert.Contains("Target: phase B's acknowledged plain sends/s at least 80 % of phase A's: **MISSED** (ratio 0.75: 15 against 20 sends/s).", summary);
            Assert.Contains("| phase | started/s | sent | acked | acked/s |", summary);
            Assert.Contains("| A: plain | 20 | 600 | 600 | 20 |", summary);
            Assert.Contains("in a closed loop", summary);
            Assert.Contains("| 299,700 | 30 | 9,990 | 300 | 999 | 999 | 999 |", summary);
            Assert.Contains("| 999 | 299,700 | 299,700 | 0 | 0 | 0 | 0 |", summary);
            Assert.Contains("| process | phase A: plain | phase B: plain and @everyone |", summary);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static NotificationSeen Seen(string excerpt) => new(1, "everyone", "owner", "chan", Guid.NewGuid().ToString(), excerpt);

    private static NotificationsResult Result(double ratioB, long lost, long fewestRows)
    {
        var latency = new LatencySummary(600, 5, 8, 12, 15, 20, 6);
        var a = new PhaseFigures("A", 20, 600, 600, 20, latency, 0, 0);
        var b = a with { Name = "B", AckedPerSecond = ratioB };
        var mentions = new PhaseFigures("mentions", 10, 300, 300, 10, latency, 0, 0);
        var figures = new NotificationsFigures(
            a, b, mentions, NotificationsFigures.Ratio(a, b), latency, [latency], [latency],
            new NotificationRowFigures(299_700, 30, 9_990, 300, fewestRows, 999, 999),
            new NotificationCorrectness(999, 299_700, 299_700 - lost, lost, 0, 0, 0),
            new Dictionary<string, long>(), new Dictionary<string, IReadOnlyList<string>>(),
            CpuReport.Create(30, [], 600, "messages"), CpuReport.Create(30, [], 900, "messages"));
        return new NotificationsResult(
            new RunInfo("notifications", "run", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], default, default, "json", false, [], 2),
            new NotificationsOptions(), "guild", "chan", figures);
    }
}
