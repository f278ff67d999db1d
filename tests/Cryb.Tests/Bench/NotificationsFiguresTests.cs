using System.Text.Json;
using Cryb.Bench.Cli;
using Cryb.Bench.Load.Notifications;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;
using Cryb.Bench.Scenarios;

namespace Cryb.Tests.Bench;

/// <summary>
/// The pure parts of <c>notifications</c>: its command line, the time line of its three phases in
/// interleaved segments, how
/// a member's <c>NotificationCreated</c> is matched to its mention (first, twice, unexplained, for a
/// plain message), the throughput of a phase and the ratios of the phases, and what its result
/// says and writes.
/// </summary>
public sealed class NotificationsFiguresTests
{
    [Fact]
    public void A_notifications_command_line_sets_each_option_given_and_keeps_the_defaults_of_the_others()
    {
        var parse = BenchCommandLine.Root.Parse(
            ["notifications", "--gateways", "http://127.0.0.1:5080", "--members", "200", "--plain-servers", "4", "--senders", "8", "--segment", "5", "--rounds", "4", "--mention-warmup", "6"],
            CommandLines.Parser);
        Assert.Empty(parse.Errors);

        var (_, options) = ((ScenarioCommand<NotificationsOptions>)ScenarioCatalog.Find("notifications")!).Read(parse);

        Assert.Equal((200, 4, 8), (options.Members, options.PlainServers, options.Senders));
        Assert.Equal((TimeSpan.FromSeconds(5), 4, TimeSpan.FromSeconds(6)), (options.Segment, options.Rounds, options.MentionWarmup));
        Assert.Equal((20, 10.0, TimeSpan.FromSeconds(60)), (options.PlainMembers, options.MentionRate, options.Warmup));
    }

    [Fact]
    public void A_notifications_command_line_refuses_no_rounds_and_the_old_duration()
    {
        Assert.NotEmpty(BenchCommandLine.Root.Parse(["notifications", "--gateways", "http://127.0.0.1:5080", "--rounds", "0"], CommandLines.Parser).Errors);
        Assert.NotEmpty(BenchCommandLine.Root.Parse(["notifications", "--gateways", "http://127.0.0.1:5080", "--duration", "30"], CommandLines.Parser).Errors);
    }

    [Fact]
    public void The_defaults_are_the_issues_shape_and_the_target_is_80_percent()
    {
        var defaults = new NotificationsOptions();

        Assert.Equal((1_000, 10.0), (defaults.Members, defaults.MentionRate));
        Assert.Equal((10, 20, 20), (defaults.PlainServers, defaults.PlainMembers, defaults.Senders)); // small servers like fanout's, closed loop
        Assert.Equal(0.8, NotificationsScenario.TargetRatio);
        Assert.Equal(32_000_000, NotificationsScenario.Timeline(defaults).PhaseMicros); // 4 rounds × 8 s: each phase measured 32 s
    }

    [Fact]
    public void The_time_line_runs_the_warm_ups_then_rounds_of_an_a_a_c_and_a_b_segment_of_equal_length()
    {
        var timeline = new NotifyTimeline(Warmup: 10_000_000, MentionWarmup: 4_000_000, Segment: 5_000_000, Rounds: 2);

        Assert.Equal(NotifyPhase.Warmup, timeline.PhaseOf(0));
        Assert.Equal(NotifyPhase.Warmup, timeline.PhaseOf(9_999_999));
        Assert.Equal(NotifyPhase.MentionWarmup, timeline.PhaseOf(10_000_000));
        Assert.Equal(NotifyPhase.MentionWarmup, timeline.PhaseOf(13_999_999));
        Assert.Equal((14_000_000L, 44_000_000L, 6), (timeline.MeasuredStart, timeline.MeasuredEnd, timeline.SegmentCount));

        // Segment i covers [14 + 5i, 19 + 5i) s: A, C, B, then mirrored, B, C, A.
        Assert.Equal(
            [NotifyPhase.A, NotifyPhase.C, NotifyPhase.B, NotifyPhase.B, NotifyPhase.C, NotifyPhase.A],
            Enumerable.Range(0, timeline.SegmentCount).Select(NotifyTimeline.PhaseOfSegment));
        Assert.Equal([14_000_000L, 19_000_000, 24_000_000, 29_000_000, 34_000_000, 39_000_000, 44_000_000], Enumerable.Range(0, 7).Select(timeline.SegmentStart));
        Assert.Equal((NotifyPhase.A, NotifyPhase.A, NotifyPhase.C), (timeline.PhaseOf(14_000_000), timeline.PhaseOf(18_999_999), timeline.PhaseOf(19_000_000)));
        Assert.Equal((NotifyPhase.B, NotifyPhase.B, NotifyPhase.C), (timeline.PhaseOf(28_999_999), timeline.PhaseOf(29_000_000), timeline.PhaseOf(34_000_000)));
        Assert.Equal((NotifyPhase.A, NotifyPhase.After), (timeline.PhaseOf(43_999_999), timeline.PhaseOf(44_000_000)));
        // Over an even number of rounds each phase's segments average the span's middle: a steady drift tilts none.
        Assert.All(new[] { NotifyPhase.A, NotifyPhase.C, NotifyPhase.B }, phase => Assert.Equal(2.5,
            Enumerable.Range(0, timeline.SegmentCount).Where(i => NotifyTimeline.PhaseOfSegment(i) == phase).Average()));
        Assert.Equal((null, 0, 5, null), (timeline.SegmentOf(13_999_999), timeline.SegmentOf(14_000_000), timeline.SegmentOf(43_999_999), timeline.SegmentOf(44_000_000)));

        // Each phase is measured for rounds × segment, and the three together fill the measured span.
        Assert.Equal(10_000_000, timeline.PhaseMicros);
        Assert.Equal(timeline.MeasuredEnd - timeline.MeasuredStart, 3 * timeline.PhaseMicros);
        Assert.Equal(
            [NotifyPhase.A, NotifyPhase.C, NotifyPhase.B],
            Enum.GetValues<NotifyPhase>().Where(NotifyTimeline.IsWindow));
    }

    [Fact]
    public void The_owners_sends_are_due_through_its_warm_up_and_in_c_and_b_segments_only_plain_then_everyone_in_the_warm_up()
    {
        var timeline = new NotifyTimeline(Warmup: 10_000_000, MentionWarmup: 4_000_000, Segment: 5_000_000, Rounds: 2);

        var dues = timeline.ChannelSendDues(rate: 2);

        // 8 in the warm-up, then 10 in each of C's and B's two segments, every 0.5 s from a segment's start.
        Assert.Equal(8 + 4 * 10, dues.Count);
        Assert.Equal(dues.Order(), dues);
        Assert.Equal([10_000_000L, 10_500_000, 11_000_000], dues.Take(3));
        Assert.Equal([13_500_000L, 19_000_000, 19_500_000], dues.Skip(7).Take(3));
        Assert.Equal(23_500_000, dues[17]); // C's first segment's last, then B's first segment starts at 24 s
        Assert.Equal(
            [NotifyPhase.MentionWarmup, NotifyPhase.C, NotifyPhase.B],
            dues.Select(timeline.PhaseOf).Distinct());
        Assert.Equal(
            (8, 20, 20),
            (dues.Count(due => timeline.PhaseOf(due) == NotifyPhase.MentionWarmup), dues.Count(due => timeline.PhaseOf(due) == NotifyPhase.C), dues.Count(due => timeline.PhaseOf(due) == NotifyPhase.B)));

        // Plain for the first half of the warm-up and in C, @everyone for its second half and in B.
        Assert.Equal(4, dues.Count(due => timeline.PhaseOf(due) == NotifyPhase.MentionWarmup && timeline.IsMention(due)));
        Assert.Equal((false, true), (timeline.IsMention(11_999_999), timeline.IsMention(12_000_000)));
        Assert.All(dues.Where(due => timeline.PhaseOf(due) is NotifyPhase.C or NotifyPhase.B), due => Assert.Equal(timeline.PhaseOf(due) == NotifyPhase.B, timeline.IsMention(due)));

        // The defaults: 100 in the 10 s warm-up, then 300 plain in C's 3 × 10 s and 300 mentions in B's, as with one window each.
        var defaults = NotificationsScenario.Timeline(new NotificationsOptions());
        var defaultDues = defaults.ChannelSendDues(rate: 10);
        Assert.Equal((100, 320, 320), (defaultDues.Count(due => due < defaults.MeasuredStart), defaultDues.Count(due => defaults.PhaseOf(due) == NotifyPhase.C), defaultDues.Count(due => defaults.PhaseOf(due) == NotifyPhase.B)));
    }

    [Fact]
    public void A_phase_rate_counts_over_its_segments_of_every_round()
    {
        var timeline = new NotifyTimeline(0, 0, Segment: 5_000_000, Rounds: 3);

        Assert.Equal(20, timeline.AckedPerSecond(300)); // over 3 × 5 s
        Assert.Equal(0, new NotifyTimeline(0, 0, 0, 3).AckedPerSecond(300));
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
    public void A_notification_for_one_of_the_owners_plain_messages_is_unexpected_and_counted_apart()
    {
        var tally = new MentionTally("chan", "owner", ["m1"], mentions: 3);

        Assert.DoesNotContain("@everyone", MentionTally.PlainContent(1)); // must create no notification
        Assert.Null(MentionTally.MentionOf(MentionTally.PlainContent(1)));
        Assert.Null(tally.Heard("m1", Seen(MentionTally.PlainContent(1))));
        Assert.Null(tally.Heard("m1", Seen(MentionTally.PlainContent(2)) with { Kind = "mention" }));
        Assert.Null(tally.Heard("m1", Seen("hello")));

        Assert.Equal((3L, 2L, 0L), (tally.Unexpected, tally.OfPlainMessages, tally.HeardOf(1)));
        Assert.True(MentionTally.PlainContent(99_999).Length <= 100);
    }

    [Fact]
    public void A_phase_counts_its_sends_by_outcome_and_a_ratio_is_the_phase_over_the_one_it_is_held_against()
    {
        var timeline = new NotifyTimeline(0, 0, Segment: 500_000, Rounds: 2); // each phase 1 s
        var sends = Enumerable.Range(0, 4).Select(i => new SendRecord(i * 250_000, NotifyPhase.A)).ToArray();
        sends[0].Answer("a", 100_000);
        sends[1].Answer("b", 400_000);
        sends[2].Fail();

        var a = PhaseFigures.Of("A", sends, timeline, LatencySummary.Empty);
        Assert.Equal((4.0, 4L, 2L, 2.0, 1L, 1L), (a.OfferedPerSecond, a.Sent, a.Acked, a.AckedPerSecond, a.Failed, a.Unanswered));

        var b = a with { AckedPerSecond = 1.5 };
        Assert.Equal(0.75, NotificationsFigures.Ratio(b, against: a));
        Assert.Equal(0, NotificationsFigures.Ratio(b, against: a with { AckedPerSecond = 0 }));
    }

    [Fact]
    public async Task A_result_holds_phase_b_against_phase_c_for_the_target_reports_b_over_a_beside_it_fails_on_correctness_and_writes_its_files()
    {
        // Plain sends/s: 30 alone (A), 20 beside plain messages into the big channel (C).
        var met = Result(phaseB: 17, lost: 0, fewestRows: 999);
        Assert.True(met.Passed);
        Assert.True(met.TargetMet); // 17 / 20 = 0.85, though 17 / 30 is far under 0.8
        Assert.Equal((0.85, 0.567), (met.Figures.RatioBOverC, met.Figures.RatioBOverA));

        var missed = Result(phaseB: 15, lost: 0, fewestRows: 999);
        Assert.True(missed.Passed); // a missed target is a figure, not a correctness failure
        Assert.False(missed.TargetMet);
        Assert.False(Result(phaseB: 15, lost: 0, fewestRows: 999, phaseC: 0).TargetMet);

        var failed = Result(phaseB: 17, lost: 5, fewestRows: 994);
        Assert.Equal(["5 NotificationCreated deliveries lost", "a mention wrote 994 to 999 notification rows, not 999"], failed.Failures);

        var notifiedForPlain = Result(phaseB: 17, lost: 0, fewestRows: 999, unexpected: 3, ofPlainMessages: 2, rowsOfPlainMessages: 2);
        Assert.Equal(
            ["3 NotificationCreated that no mention explains (2 of them for the owner's plain messages)", "the owner's plain messages into the big channel wrote 2 notification rows, not 0"],
            notifiedForPlain.Failures);

        var directory = Path.Combine(Path.GetTempPath(), $"cryb-notifications-{Guid.NewGuid():N}");
        try
        {
            Assert.Equal(["result.json", "summary.md", "plot.svg", "plot.png"], await ResultWriter.WriteAsync(missed, directory));
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "result.json"), TestContext.Current.CancellationToken));
            Assert.Equal("notifications", json.RootElement.GetProperty("run").GetProperty("scenario").GetString());
            var figures = json.RootElement.GetProperty("figures");
            Assert.Equal((0.75, 0.5), (figures.GetProperty("ratioBOverC").GetDouble(), figures.GetProperty("ratioBOverA").GetDouble()));
            Assert.Equal(20, figures.GetProperty("phaseC").GetProperty("ackedPerSecond").GetDouble());
            Assert.Equal(9_990, figures.GetProperty("rows").GetProperty("rowsPerSecond").GetDouble());
            Assert.Equal(10, json.RootElement.GetProperty("options").GetProperty("mentionRate").GetDouble());
            var summary = await File.ReadAllTextAsync(Path.Combine(directory, "summary.md"), TestContext.Current.CancellationToken);
            Assert.Contains(
                "Target: phase B's acknowledged plain sends/s at least 80 % of phase C's (the same rate of plain messages into the same channel): **MISSED** (B / C 0.75: 15 against 20 sends/s).",
                summary);
            Assert.Contains("Against plain sends alone (phase A), no target: B / A 0.5 (15 against 30 sends/s).", summary);
            Assert.Contains("| phase | started/s | sent | acked | acked/s |", summary);
            string[] rows = ["| A: plain | 30 |", "| C: plain, with plain into the big channel | 20 |", "| C: plain into the big channel | 10 |", "| B: plain, with @everyone | 20 |", "| B: @everyone | 10 |"];
            var at = rows.Select(row => summary.IndexOf(row, StringComparison.Ordinal)).ToArray();
            Assert.All(at, index => Assert.True(index >= 0));
            Assert.Equal(at.Order(), at); // A, C, B
            Assert.Contains("in a closed loop", summary);
            Assert.Contains("4 rounds of A, C, B segments of 8 s (B, C, A in every other round), so each phase is measured for 32 s", summary);
            Assert.Contains("| 299,700 | 30 | 9,990 | 300 | 999 | 999 | 999 | 600 | 0 |", summary);
            Assert.Contains("| 999 | 299,700 | 299,700 | 0 | 0 | 0 | 0 | 0 |", summary);
            Assert.Contains("| process | phase A: plain | phase C: plain and plain into the big channel | phase B: plain and @everyone |", summary);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The members read their notifications with the lean client: the fields the tally checks come out of the payload as the hub's JSON protocol writes it.</summary>
    [Fact]
    public void A_member_reads_the_fields_of_a_NotificationCreated_payload_as_the_hub_writes_it()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        var messageId = Guid.NewGuid().ToString();
        var sent = new Cryb.Notifications.Notification(
            42, Guid.NewGuid().ToString(), Cryb.Notifications.NotificationKind.Everyone, "owner", "guild", "chan", messageId, 7, MentionTally.Content(3), DateTimeOffset.UnixEpoch);
        var arguments = JsonSerializer.SerializeToUtf8Bytes(new object[] { sent }, options);

        var reader = new Utf8JsonReader(arguments);
        reader.Read(); // the arguments' array
        reader.Read(); // its one object
        var seen = NotificationSeen.Read(ref reader);

        Assert.Equal(new NotificationSeen(42, "everyone", "owner", "chan", messageId, MentionTally.Content(3)), seen);
        Assert.Equal(3, MentionTally.MentionOf(seen.Excerpt));
        Assert.True(reader.Read() && reader.TokenType == JsonTokenType.EndArray);
    }

    private static NotificationSeen Seen(string excerpt) => new(1, "everyone", "owner", "chan", Guid.NewGuid().ToString(), excerpt);

    private static NotificationsResult Result(
        double phaseB, long lost, long fewestRows, double phaseC = 20, long unexpected = 0, long ofPlainMessages = 0, long rowsOfPlainMessages = 0)
    {
        var latency = new LatencySummary(600, 5, 8, 12, 15, 20, 6);
        var a = new PhaseFigures("A", 30, 900, 900, 30, latency, 0, 0);
        var c = new PhaseFigures("C", 20, 600, 600, phaseC, latency, 0, 0);
        var b = c with { Name = "B", AckedPerSecond = phaseB };
        var channelPlain = new PhaseFigures("channel plain", 10, 300, 300, 10, latency, 0, 0);
        var mentions = channelPlain with { Name = "mentions" };
        var figures = new NotificationsFigures(
            a, c, channelPlain, b, mentions, NotificationsFigures.Ratio(b, against: c), NotificationsFigures.Ratio(b, against: a), latency, [latency], [latency],
            new NotificationRowFigures(299_700, 30, 9_990, 300, fewestRows, 999, 999, 600, rowsOfPlainMessages),
            new NotificationCorrectness(999, 299_700, 299_700 - lost, lost, 0, unexpected, ofPlainMessages, 0),
            new Dictionary<string, long>(), new Dictionary<string, IReadOnlyList<string>>(),
            CpuReport.Create(30, [], 900, "messages"), CpuReport.Create(30, [], 900, "messages"), CpuReport.Create(30, [], 900, "messages"));
        return new NotificationsResult(
            new RunInfo("notifications", "run", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], default, default, "json", false, [], 2),
            new NotificationsOptions(), "guild", "chan", figures);
    }
}
