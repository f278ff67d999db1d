using System.Text.Json;
using Cryb.Bench;
using Cryb.Bench.Cli;
using Cryb.Bench.Load.Guilds;
using Cryb.Bench.Load.Voice;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;
using Cryb.Bench.Scenarios;

namespace Cryb.Tests.Bench;

/// <summary>
/// The pure parts of <c>voice</c>: its command line, the schedule's choice of calls, how a watcher
/// matches events to calls (lost, out of order, unexplained), and what its result says and writes.
/// </summary>
public sealed class VoiceFiguresTests
{
    private static readonly string[] Channels = ["c0", "c1", "c2"];

    [Fact]
    public void A_voice_command_line_sets_each_option_given_and_keeps_the_defaults_of_the_others()
    {
        var parse = BenchCommandLine.Root.Parse(
            ["voice", "--gateways", "http://127.0.0.1:5080", "--users", "200", "--watchers", "20", "--rate", "50", "--leave-share", "0.5", "--duration", "2m"],
            CommandLines.Parser);
        Assert.Empty(parse.Errors);

        var (_, options) = ((ScenarioCommand<VoiceOptions>)ScenarioCatalog.Find("voice")!).Read(parse);

        Assert.Equal((200, 20, 50.0, 0.5, TimeSpan.FromMinutes(2)), (options.Users, options.Watchers, options.Rate, options.LeaveShare, options.Duration));
        Assert.Equal(new VoiceOptions().Channels, options.Channels);
        Assert.Equal(new VoiceOptions().UpdateShare, options.UpdateShare);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Warmup);
    }

    [Fact]
    public void The_defaults_are_the_issues_shape()
    {
        var defaults = new VoiceOptions();

        Assert.Equal((1_000, 200.0), (defaults.Users, defaults.Rate));
        Assert.Equal(100, VoiceScenario.TargetP99Milliseconds);
    }

    [Fact]
    public void Every_call_changes_its_actors_state_and_an_actor_waits_for_its_answer_before_the_next()
    {
        var schedule = new VoiceSchedule(new VoiceOptions(), Channels, actors: 2);

        var first = schedule.Next(0, false)!;
        var second = schedule.Next(1, false)!;
        Assert.Null(schedule.Next(2, false)); // both actors wait on an answer
        Assert.Equal((VoiceOpKind.Join, VoiceOpKind.Join), (first.Kind, second.Kind));
        Assert.NotEqual(first.Actor, second.Actor);

        schedule.Done(first, succeeded: true);
        var previous = first;
        for (var i = 0; i < 200; i++)
        {
            var op = schedule.Next(10 + i, false)!;
            Assert.Equal(first.Actor, op.Actor);
            switch (op.Kind)
            {
                case VoiceOpKind.Join:
                    Assert.Null(previous.ChannelId);
                    Assert.Contains(op.ChannelId, Channels);
                    break;
                case VoiceOpKind.Leave:
                    Assert.NotNull(previous.ChannelId);
                    Assert.Null(op.ChannelId);
                    break;
                case VoiceOpKind.Move:
                    Assert.NotNull(previous.ChannelId);
                    Assert.NotEqual(previous.ChannelId, op.ChannelId);
                    Assert.Equal(previous.SelfMute, op.SelfMute);
                    break;
                case VoiceOpKind.Update:
                    Assert.Equal(previous.ChannelId, op.ChannelId);
                    Assert.NotEqual(previous.SelfMute, op.SelfMute);
                    break;
            }

            schedule.Done(op, succeeded: true);
            previous = op;
        }
    }

    [Fact]
    public void A_failed_join_leaves_the_actor_outside_and_a_leave_refused_with_not_in_voice_puts_it_outside()
    {
        var schedule = new VoiceSchedule(new VoiceOptions { LeaveShare = 1, UpdateShare = 0 }, Channels, actors: 1);

        schedule.Done(schedule.Next(0, false)!, succeeded: false);
        var join = schedule.Next(1, false)!;
        Assert.Equal(VoiceOpKind.Join, join.Kind);
        schedule.Done(join, succeeded: true);
        var leave = schedule.Next(2, false)!;
        Assert.Equal(VoiceOpKind.Leave, leave.Kind);
        schedule.Done(leave, succeeded: false, notInVoice: true);

        Assert.Equal(VoiceOpKind.Join, schedule.Next(3, false)!.Kind);
    }

    [Fact]
    public void A_watcher_times_each_measured_event_from_its_calls_intended_start_skipping_failed_calls()
    {
        var (log, watcher, timed) = Watch();
        var join = Op(VoiceOpKind.Join, "c0", intended: 1_000);
        var failedMove = Op(VoiceOpKind.Move, "c1", intended: 2_000);
        var move = Op(VoiceOpKind.Move, "c2", intended: 3_000);
        var leave = Op(VoiceOpKind.Leave, null, intended: 4_000, measured: false);
        foreach (var op in new[] { join, failedMove, move, leave })
        {
            log.Add(op);
        }

        failedMove.Complete(false);
        watcher.Seen(State("c0", 1), 1_500);
        join.Complete(true);
        watcher.Seen(State("c2", 2), 3_700);
        move.Complete(true);
        watcher.Seen(State(null, 3), 4_200);
        leave.Complete(true);

        Assert.Equal([(join, 500L), (move, 700L)], timed);
        Assert.Equal((2L, 0L, 0L, 0L), (watcher.DeliveredMeasured, watcher.Skipped, watcher.OutOfOrder, watcher.Unexpected));
    }

    [Fact]
    public void A_missing_event_an_older_version_and_an_event_no_call_explains_are_each_counted()
    {
        var (log, watcher, _) = Watch();
        var join = Op(VoiceOpKind.Join, "c0", intended: 1_000);
        var move = Op(VoiceOpKind.Move, "c1", intended: 2_000);
        log.Add(join);
        log.Add(move);
        join.Complete(true);
        move.Complete(true);

        // The join's event never comes; the move's does, then an older version, then a state nobody asked for.
        watcher.Seen(State("c1", 5), 2_500);
        watcher.Seen(State("c1", 4) with { SelfMute = true }, 2_600);

        Assert.Equal(1, watcher.Skipped);
        Assert.Equal(1, watcher.DeliveredMeasured);
        Assert.Equal(1, watcher.OutOfOrder);
        Assert.Equal(1, watcher.Unexpected);
    }

    [Fact]
    public async Task A_result_says_whether_the_target_was_met_fails_on_lost_events_and_writes_its_files()
    {
        var met = Result(p99: 42, lost: 0);
        var missed = Result(p99: 140, lost: 3);

        Assert.True(met.Passed);
        Assert.True(met.TargetMet);
        Assert.False(missed.TargetMet);
        Assert.Equal("3 VoiceStateUpdated deliveries lost", Assert.Single(missed.Failures));

        var directory = Path.Combine(Path.GetTempPath(), $"cryb-voice-{Guid.NewGuid():N}");
        try
        {
            Assert.Equal(["result.json", "summary.md", "plot.svg", "plot.png"], await ResultWriter.WriteAsync(missed, directory));
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "result.json"), TestContext.Current.CancellationToken));
            Assert.Equal("voice", json.RootElement.GetProperty("run").GetProperty("scenario").GetString());
            Assert.False(json.RootElement.GetProperty("targetMet").GetBoolean());
            Assert.Equal(140, json.RootElement.GetProperty("figures").GetProperty("delivery").GetProperty("p99").GetDouble());
            Assert.Equal(200, json.RootElement.GetProperty("options").GetProperty("rate").GetDouble());
            var summary = await File.ReadAllTextAsync(Path.Combine(directory, "summary.md"), TestContext.Current.CancellationToken);
            Assert.Contains("Target p99 under 100 ms: **FAIL** (p99 140 ms", summary);
            Assert.Contains("verdict: **FAIL**: 3 VoiceStateUpdated deliveries lost", summary);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static (VoiceOpLog Log, VoiceWatcher Watcher, List<(VoiceOp, long)> Timed) Watch()
    {
        var log = new VoiceOpLog(1);
        var timed = new List<(VoiceOp, long)>();
        var watcher = new VoiceWatcher("w", new Dictionary<string, int> { ["a"] = 0 }, log, (op, arrived) => timed.Add((op, arrived - op.Intended)));
        return (log, watcher, timed);
    }

    private static VoiceOp Op(VoiceOpKind kind, string? channelId, long intended, bool measured = true) =>
        new(0, kind, channelId, SelfMute: false, intended, measured);

    private static VoiceStateSeen State(string? channelId, long version) => new("g", channelId, "a", SelfMute: false, version);

    private static VoiceResult Result(double p99, long lost)
    {
        var latency = new LatencySummary(1_000, 10, 20, p99, p99, p99, 12);
        var figures = new VoiceFigures(
            200, 200, 6_000, 6_000, 0, 0, new Dictionary<string, long> { ["join"] = 6_000 }, new Dictionary<string, long>(), new Dictionary<string, IReadOnlyList<string>>(),
            new Dictionary<string, LatencySummary> { ["join"] = latency }, latency, latency, [latency],
            new VoiceCorrectness(100, 600_000, 600_000 - lost, lost, 0, 0), CpuReport.Create(30, [], 6_000, "calls"));
        return new VoiceResult(
            new RunInfo("voice", "run", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], default, default, "json", false, [], 2),
            new VoiceOptions(), "g", 10, 900, "imported", figures);
    }
}
