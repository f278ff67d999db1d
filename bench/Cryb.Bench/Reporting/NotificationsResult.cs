using Cryb.Bench.Load.Notifications;
using Cryb.Bench.Measurement;
using Cryb.Bench.Scenarios;

namespace Cryb.Bench.Reporting;

/// <summary>
/// The result of <c>notifications</c>: the plain sends of phase A (alone), phase C (beside the
/// owner's plain messages into the big channel) and phase B (beside the same rate of
/// <c>@everyone</c> into it), each over its segments of the rounds, the owner's sends, the
/// mentions' <c>NotificationCreated</c> at the members, the rows they wrote, and the checks.
/// </summary>
public sealed class NotificationsResult(RunInfo run, NotificationsOptions options, string guildId, string channelId, NotificationsFigures figures) : ScenarioResult(run)
{
    public override object Options { get; } = options;
    public string GuildId { get; } = guildId;
    public string ChannelId { get; } = channelId;
    public NotificationsFigures Figures { get; } = figures;

    /// <summary>The issue's target: phase B's plain sends/s at least this share of phase C's.</summary>
    public double TargetRatio => NotificationsScenario.TargetRatio;

    /// <summary>Whether phase B kept <see cref="TargetRatio"/> of phase C's plain throughput (and anything was sent in C).</summary>
    public bool TargetMet => Figures.PhaseC.Acked > 0 && Figures.RatioBOverC >= TargetRatio;

    public override IReadOnlyList<string> Failures
    {
        get
        {
            var f = Figures;
            var c = f.Correctness;
            var failures = new List<string>();
            if (f.PhaseA.Acked == 0 || f.PhaseC.Acked == 0 || f.PhaseB.Acked == 0 || f.ChannelPlain.Acked == 0 || f.Mentions.Acked == 0)
            {
                failures.Add("a phase acknowledged nothing (plain sends of A, C or B, the plain messages into the big channel, or the mentions)");
            }

            if (f.Errors.Count > 0)
            {
                failures.Add($"{f.Errors.Values.Sum()} sends failed ({string.Join(", ", f.Errors.Select(pair => $"{pair.Key} {pair.Value}"))})");
            }

            var unanswered = f.PhaseA.Unanswered + f.PhaseC.Unanswered + f.PhaseB.Unanswered + f.ChannelPlain.Unanswered + f.Mentions.Unanswered;
            if (unanswered > 0)
            {
                failures.Add($"{unanswered} sends unanswered after the drain");
            }

            if (c.Lost > 0)
            {
                failures.Add($"{c.Lost} NotificationCreated deliveries lost");
            }

            if (c.Duplicates > 0)
            {
                failures.Add($"{c.Duplicates} NotificationCreated heard twice");
            }

            if (c.Unexpected > 0)
            {
                failures.Add($"{c.Unexpected} NotificationCreated that no mention explains ({c.OfPlainMessages} of them for the owner's plain messages)");
            }

            if (f.Rows is { } rows && (rows.FewestPerMention != rows.ExpectedPerMention || rows.MostPerMention != rows.ExpectedPerMention))
            {
                failures.Add($"a mention wrote {rows.FewestPerMention} to {rows.MostPerMention} notification rows, not {rows.ExpectedPerMention}");
            }

            if (f.Rows is { RowsOfPlainMessages: > 0 } plainRows)
            {
                failures.Add($"the owner's plain messages into the big channel wrote {plainRows.RowsOfPlainMessages} notification rows, not 0");
            }

            return failures;
        }
    }

    public override void WriteSummary(MarkdownWriter markdown)
    {
        var f = Figures;
        var c = f.Correctness;
        var o = (NotificationsOptions)Options;
        markdown.Line($"Server `{GuildId}`: {MarkdownWriter.Number(o.Members)} members connected over both gateways (imported through `IGuildGrain.ImportMembers`); beside it {MarkdownWriter.Number(o.PlainServers)} servers of {MarkdownWriter.Number(o.PlainMembers)} members, connected the same way. " +
                      $"{MarkdownWriter.Number(o.Senders)} of their members send plain messages into their servers' text channels in a closed loop (the next when the previous is answered) in every phase, so their acknowledged sends/s is the cluster's send capacity; " +
                      $"phase A has only those; in phase C the owner of the big server adds plain messages at {MarkdownWriter.Number(o.MentionRate)}/s into its channel, in phase B `@everyone` at the same rate into the same channel. " +
                      $"The phases take turns, so that a drift of the machine's speed touches each alike: after {MarkdownWriter.Number(o.Warmup.TotalSeconds)} s of plain sends and {MarkdownWriter.Number(o.MentionWarmup.TotalSeconds)} s of the owner's warm-up (plain, then `@everyone`), " +
                      $"{MarkdownWriter.Number(o.Rounds)} rounds of A, C, B segments of {MarkdownWriter.Number(o.Segment.TotalSeconds)} s (B, C, A in every other round), so each phase is measured for {MarkdownWriter.Number(o.Rounds * o.Segment.TotalSeconds)} s. " +
                      $"Every member of the big server but the owner reads and times every `NotificationCreated`.").Blank();

        markdown.Heading("Plain sends: phase A (alone), phase C (beside plain messages into the big channel), phase B (beside @everyone into it) (ms from the send (plain) or its intended time (the owner's) to the answer)", 3)
            .Line($"Target: phase B's acknowledged plain sends/s at least {TargetRatio:P0} of phase C's (the same rate of plain messages into the same channel): **{(TargetMet ? "met" : "MISSED")}** " +
                  $"(B / C {MarkdownWriter.Number(f.RatioBOverC, 3)}: {MarkdownWriter.Number(f.PhaseB.AckedPerSecond)} against {MarkdownWriter.Number(f.PhaseC.AckedPerSecond)} sends/s).").Blank()
            .Line($"Against plain sends alone (phase A), no target: B / A {MarkdownWriter.Number(f.RatioBOverA, 3)} ({MarkdownWriter.Number(f.PhaseB.AckedPerSecond)} against {MarkdownWriter.Number(f.PhaseA.AckedPerSecond)} sends/s).").Blank()
            .Table(
                ["phase", "started/s", "sent", "acked", "acked/s", "p50", "p95", "p99", "max", "failed", "unanswered"],
                [
                    Row("A: plain", f.PhaseA),
                    Row("C: plain, with plain into the big channel", f.PhaseC), Row("C: plain into the big channel", f.ChannelPlain),
                    Row("B: plain, with @everyone", f.PhaseB), Row("B: @everyone", f.Mentions),
                ]);

        markdown.Heading("NotificationCreated to the members (ms from the mention's intended send to its arrival at each member)", 3)
            .Table(
                ["deliveries timed", "p50", "p95", "p99", "p99.9", "max"],
                [[f.Delivery.Count, f.Delivery.P50, f.Delivery.P95, f.Delivery.P99, f.Delivery.P999, f.Delivery.Max]]);

        if (f.Rows is { } rows)
        {
            markdown.Heading("Notification rows (PostgreSQL)", 3)
                .Table(
                    ["rows in phase B's segments", "seconds", "rows/s", "mentions counted", "rows per mention (fewest)", "(most)", "expected", "the owner's plain messages counted", "their rows"],
                    [[rows.RowsInWindow, rows.WindowSeconds, rows.RowsPerSecond, rows.MentionsCounted, rows.FewestPerMention, rows.MostPerMention, rows.ExpectedPerMention, rows.PlainMessagesCounted, rows.RowsOfPlainMessages]]);
            markdown.Line("Rows in phase B's segments: the members' notification counters (`notification_inboxes.last_seq`) summed at both ends of each B segment, the differences added; per mention: `notifications` rows of each acknowledged mention of B's segments, counted after the drain; " +
                          "the owner's plain messages (its warm-up's and phase C's, acknowledged) must have none.").Blank();
        }

        markdown.Heading("Correctness (after the drain)", 3).Table(
            ["members per mention", "expected deliveries", "delivered", "lost", "heard twice", "unexplained", "of them for the owner's plain messages", "of failed mentions"],
            [[c.Recipients, c.Expected, c.Delivered, c.Lost, c.Duplicates, c.Unexpected, c.OfPlainMessages, c.OfFailedMentions]]);
        markdown.Line("Expected: every acknowledged mention of phase B's segments, once at each member but its author (all online, one connection each); none for the owner's plain messages.").Blank();
        SummarySections.Errors(markdown, f.Errors, "Failed sends by code", f.ErrorExamples);

        SummarySections.Cpu(markdown, [("phase A: plain", f.CpuA), ("phase C: plain and plain into the big channel", f.CpuC), ("phase B: plain and @everyone", f.CpuB)]);
    }

    private static IReadOnlyList<object?> Row(string label, PhaseFigures phase) =>
        [label, phase.OfferedPerSecond, phase.Sent, phase.Acked, phase.AckedPerSecond, phase.Ack.P50, phase.Ack.P95, phase.Ack.P99, phase.Ack.Max, phase.Failed, phase.Unanswered];

    /// <summary>Per second of the measured segments (A, C, B in turn): the plain sends' acknowledgement and the notifications' delivery (B's segments only).</summary>
    public override PlotSpec Plot()
    {
        PlotSeries Series(string name, IReadOnlyList<LatencySummary> bySecond, Func<LatencySummary, double> value) =>
            new(name, [.. bySecond.Select((latency, second) => (Second: (double)second + 1, Latency: latency)).Where(point => point.Latency.Count > 0).Select(point => (point.Second, value(point.Latency)))]);
        return new PlotSpec(
            $"notifications: plain sends alone (A), beside plain (C), @everyone (B) at {MarkdownWriter.Number(((NotificationsOptions)Options).MentionRate)}/s",
            "second from the first segment (A, C, B in turn)",
            "intended send to answer or arrival (ms)",
            [
                Series("plain ack p50", Figures.PlainAckBySecond, latency => latency.P50),
                Series("plain ack p99", Figures.PlainAckBySecond, latency => latency.P99),
                Series("NotificationCreated p99", Figures.DeliveryBySecond, latency => latency.P99),
            ]);
    }
}

/// <summary>What the run measured.</summary>
/// <param name="PhaseA">Plain sends of phase A's segments.</param>
/// <param name="PhaseC">Plain sends of phase C's segments.</param>
/// <param name="ChannelPlain">The owner's plain sends into the big channel in phase C's segments.</param>
/// <param name="PhaseB">Plain sends of phase B's segments.</param>
/// <param name="Mentions">The owner's <c>@everyone</c> sends into the big channel in phase B's segments.</param>
/// <param name="RatioBOverC">Phase B's acknowledged plain sends/s over phase C's: the mention path's effect, the target's figure.</param>
/// <param name="RatioBOverA">Phase B's acknowledged plain sends/s over phase A's: against plain sends alone, informative.</param>
/// <param name="Delivery">Every first arrival of the <c>NotificationCreated</c> of a mention of phase B's segments at a member, from the mention's intended send.</param>
/// <param name="DeliveryBySecond">The same by second from the first segment's start (empty seconds outside phase B's segments).</param>
/// <param name="PlainAckBySecond">The plain sends' acknowledgements by second from the first segment's start.</param>
/// <param name="Rows">The notification rows, when the tool could read the database.</param>
/// <param name="CpuA">CPU over phase A's segments added up, per 1,000 acknowledged messages.</param>
/// <param name="CpuC">CPU over phase C's segments added up, per 1,000 acknowledged messages (plain in the small servers and in the big channel).</param>
/// <param name="CpuB">CPU over phase B's segments added up, per 1,000 acknowledged messages (plain and mentions).</param>
public sealed record NotificationsFigures(
    PhaseFigures PhaseA, PhaseFigures PhaseC, PhaseFigures ChannelPlain, PhaseFigures PhaseB, PhaseFigures Mentions, double RatioBOverC, double RatioBOverA,
    LatencySummary Delivery, IReadOnlyList<LatencySummary> DeliveryBySecond, IReadOnlyList<LatencySummary> PlainAckBySecond,
    NotificationRowFigures? Rows, NotificationCorrectness Correctness,
    IReadOnlyDictionary<string, long> Errors, IReadOnlyDictionary<string, IReadOnlyList<string>> ErrorExamples,
    CpuReport CpuA, CpuReport CpuC, CpuReport CpuB)
{
    /// <summary><paramref name="phase"/>'s acknowledged sends/s over <paramref name="against"/>'s; 0 when that acknowledged none.</summary>
    public static double Ratio(PhaseFigures phase, PhaseFigures against) =>
        against.AckedPerSecond > 0 ? Math.Round(phase.AckedPerSecond / against.AckedPerSecond, 3) : 0;
}

/// <summary>The sends started (closed loop) or due (open model) in one phase's segments.</summary>
/// <param name="OfferedPerSecond">Sends started or due per second of the phase's measured time: the closed loop's pace for plain sends, the open model's rate for the owner's.</param>
/// <param name="Sent">Started or due in the phase's segments.</param>
/// <param name="AckedPerSecond">Of those, acknowledged (by the end of the drain), per second of the phase's measured time (rounds × segment).</param>
/// <param name="Ack">From intended send to the answer.</param>
/// <param name="Unanswered">Neither answered nor failed by the end of the drain.</param>
public sealed record PhaseFigures(string Name, double OfferedPerSecond, long Sent, long Acked, double AckedPerSecond, LatencySummary Ack, long Failed, long Unanswered)
{
    public static PhaseFigures Of(string name, IReadOnlyList<SendRecord> sends, NotifyTimeline timeline, LatencySummary ack)
    {
        var acked = sends.Count(send => send.Succeeded);
        return new PhaseFigures(
            name, timeline.AckedPerSecond(sends.Count), sends.Count, acked, timeline.AckedPerSecond(acked), ack,
            sends.Count(send => send.Failed), sends.Count(send => !send.Succeeded && !send.Failed));
    }
}

/// <summary>The rows the mentions wrote.</summary>
/// <param name="RowsInWindow">Notification rows the members gained between the ends of each of phase B's segments, added up.</param>
/// <param name="WindowSeconds">The time between those ends, added up.</param>
/// <param name="MentionsCounted">Acknowledged mentions of phase B's segments whose rows were counted.</param>
/// <param name="ExpectedPerMention">Members but the author.</param>
/// <param name="PlainMessagesCounted">The owner's acknowledged plain messages (its warm-up's and phase C's) whose rows were counted.</param>
/// <param name="RowsOfPlainMessages">Notification rows of those messages: must be none.</param>
public sealed record NotificationRowFigures(
    long RowsInWindow, double WindowSeconds, double RowsPerSecond, long MentionsCounted, long FewestPerMention, long MostPerMention, long ExpectedPerMention,
    long PlainMessagesCounted, long RowsOfPlainMessages)
{
    public static NotificationRowFigures Of(long rowsInWindow, long windowMicros, IReadOnlyList<long> perMention, long expectedPerMention, long plainMessagesCounted, long rowsOfPlainMessages)
    {
        var seconds = Math.Round(windowMicros / 1e6, 3);
        return new NotificationRowFigures(
            rowsInWindow, seconds, seconds > 0 ? Math.Round(rowsInWindow / seconds, 1) : 0, perMention.Count,
            perMention.DefaultIfEmpty(0).Min(), perMention.DefaultIfEmpty(0).Max(), expectedPerMention, plainMessagesCounted, rowsOfPlainMessages);
    }
}

/// <summary>What the members heard of the mentions of phase B's segments.</summary>
/// <param name="Recipients">Members each mention must reach: every connected member but its author.</param>
/// <param name="Expected">Acknowledged mentions of B's segments × recipients.</param>
/// <param name="Delivered">Of those, heard, each once.</param>
/// <param name="Lost">Expected, not heard by the end of the drain.</param>
/// <param name="Duplicates">A mention heard again by the same member.</param>
/// <param name="Unexpected">Notifications no mention of the run explains (another kind, channel or author, to the author, or for a plain message).</param>
/// <param name="OfPlainMessages">Of those, the ones for the owner's plain messages.</param>
/// <param name="OfFailedMentions">Heard for a mention of B's segments whose send failed (allowed: it may have been stored).</param>
public sealed record NotificationCorrectness(int Recipients, long Expected, long Delivered, long Lost, long Duplicates, long Unexpected, long OfPlainMessages, long OfFailedMentions);
