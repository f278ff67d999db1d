using System.Text.Json;
using Cryb.Bench;
using Cryb.Bench.Cli;
using Cryb.Bench.Load.Friends;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;
using Cryb.Bench.Scenarios;

namespace Cryb.Tests.Bench;

/// <summary>
/// The pure parts of <c>friends</c>: its command line, the ring and its blocks, the schedule of
/// presence changes, how a listener sorts and matches what it hears (lost, to a blocked user, to a
/// non-friend, twice, unexplained), and what its result says and writes.
/// </summary>
public sealed class FriendsFiguresTests
{
    [Fact]
    public void A_friends_command_line_sets_each_option_given_and_keeps_the_defaults_of_the_others()
    {
        var parse = BenchCommandLine.Root.Parse(
            ["friends", "--gateways", "http://127.0.0.1:5080", "--users", "200", "--friends", "10", "--rate", "50", "--duration", "2m"],
            CommandLines.Parser);
        Assert.Empty(parse.Errors);

        var (_, options) = ((ScenarioCommand<FriendsOptions>)ScenarioCatalog.Find("friends")!).Read(parse);

        Assert.Equal((200, 10, 50.0, TimeSpan.FromMinutes(2)), (options.Users, options.Friends, options.Rate, options.Duration));
        Assert.Equal(0.05, options.Blockers);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Warmup);
    }

    [Fact]
    public void The_defaults_are_the_issues_shape()
    {
        var defaults = new FriendsOptions();

        Assert.Equal((1_000, 20, 0.05, 100.0), (defaults.Users, defaults.Friends, defaults.Blockers, defaults.Rate));
        Assert.Equal(50, FriendsScenario.Graph(defaults).Blocks().Count());
    }

    [Fact]
    public void An_odd_friend_count_or_a_ring_too_small_for_it_is_a_usage_error()
    {
        Assert.Throws<UsageException>(() => FriendsScenario.Graph(new FriendsOptions { Friends = 5 }));
        Assert.Throws<UsageException>(() => FriendsScenario.Graph(new FriendsOptions { Users = 11, Friends = 10 }));
        Assert.Throws<UsageException>(() => FriendsScenario.Graph(new FriendsOptions { Blockers = 1.5 }));
    }

    [Fact]
    public void The_ring_gives_everyone_its_friends_once_and_each_block_ends_one_friendship_of_each_side()
    {
        var graph = new FriendGraph(users: 20, friends: 4, blockers: 2);

        var requests = graph.Requests().ToArray();
        Assert.Equal(40, requests.Length);
        Assert.Equal(requests.Length, requests.Select(pair => (Math.Min(pair.From, pair.To), Math.Max(pair.From, pair.To))).Distinct().Count());
        Assert.Equal([(0, 1), (10, 11)], graph.Blocks().ToArray());

        Assert.True(graph.AreFriends(19, 1)); // around the ring
        Assert.False(graph.AreFriends(0, 3));
        Assert.False(graph.AreFriends(0, 1)); // the block ended it
        Assert.False(graph.AreFriends(1, 0));
        Assert.True(graph.Blocked(0, 1));
        Assert.False(graph.Blocked(1, 0));
        for (var user = 0; user < graph.Users; user++)
        {
            Assert.Equal(Enumerable.Range(0, graph.Users).Count(other => graph.AreFriends(user, other)), graph.FriendCount(user));
        }

        Assert.Equal((3, 3, 4), (graph.FriendCount(0), graph.FriendCount(1), graph.FriendCount(2)));
    }

    [Fact]
    public void Each_user_cycles_through_the_statuses_one_call_at_a_time_and_not_twice_within_a_second()
    {
        var schedule = new PresenceSchedule(users: 2);

        var first = schedule.Next(0, false)!;
        var second = schedule.Next(1, false)!;
        Assert.Null(schedule.Next(2, false)); // both wait on an answer
        Assert.NotEqual(first.User, second.User);
        Assert.Equal(("dnd", "dnd"), (first.Status, second.Status));

        schedule.Done(first, succeeded: true, answeredAt: 10);
        Assert.Null(schedule.Next(500_000, false)); // answered half a second ago: the grain would merge the two
        var again = schedule.Next(1_000_010, false)!;
        Assert.Equal((first.User, "idle"), (again.User, again.Status));
        schedule.Done(again, succeeded: false, answeredAt: 1_000_020);
        schedule.Done(second, succeeded: true, answeredAt: 1_000_030);

        var retried = schedule.Next(3_000_000, false)!;
        Assert.Equal((first.User, "idle"), (retried.User, retried.Status)); // a failed call changed nothing
        schedule.Done(retried, succeeded: true, answeredAt: 3_000_000);
        Assert.Equal("idle", schedule.Next(3_000_001, false)!.Status);
        Assert.Equal("online", schedule.Next(5_000_000, false)!.Status);
    }

    [Fact]
    public void A_listener_times_each_friends_measured_change_from_its_intended_start_skipping_failed_calls_and_ignores_the_setups()
    {
        var (log, listener, timed) = Listen(user: 1);
        var dnd = Op(0, "dnd", intended: 1_000);
        var failed = Op(0, "idle", intended: 2_000);
        var idle = Op(0, "idle", intended: 3_000);
        var online = Op(0, "online", intended: 4_000, measured: false);
        foreach (var op in new[] { dnd, failed, idle, online })
        {
            log.Add(op);
        }

        listener.Seen([new PresenceSeen("u0", "online")], 500); // the setup's: before the load opens
        listener.Open();
        failed.Complete(false);
        listener.Seen([new PresenceSeen("u0", "dnd")], 1_400);
        dnd.Complete(true);
        listener.Seen([new PresenceSeen("u0", "idle")], 3_900);
        idle.Complete(true);
        listener.Seen([new PresenceSeen("u0", "online")], 4_250);

        Assert.Equal([(dnd, 400L), (idle, 900L)], timed);
        Assert.Equal(2, listener.DeliveredMeasured);
        Assert.Equal((0L, 0L, 0L, 0L, 0L), (listener.Skipped, listener.ToBlocked, listener.ToNonFriend, listener.Duplicated, listener.Unexpected));
        Assert.Equal(4_250, listener.LastArrival);
    }

    [Fact]
    public void A_missed_change_a_repeat_a_change_nobody_made_and_presence_from_a_blocker_or_a_stranger_are_each_counted()
    {
        // Ring of 10, 2 friends each: user 1's friends are 0 and 2, but 0 blocked it (users 0 and 5 block).
        var (log, listener, _) = Listen(user: 1, blockers: 2);
        var dnd = Op(2, "dnd", intended: 1_000);
        var idle = Op(2, "idle", intended: 2_000);
        log.Add(dnd);
        log.Add(idle);
        log.Add(Op(0, "dnd", intended: 1_500));
        dnd.Complete(true);
        idle.Complete(true);
        listener.Open();

        // The dnd never comes; the idle does, then again; then an online nobody set.
        listener.Seen([new PresenceSeen("u2", "idle")], 2_500);
        listener.Seen([new PresenceSeen("u2", "idle")], 2_600);
        listener.Seen([new PresenceSeen("u2", "online")], 2_700);
        listener.Seen([new PresenceSeen("u0", "dnd"), new PresenceSeen("u5", "dnd"), new PresenceSeen("someone", "idle")], 2_800);

        Assert.Equal(1, listener.Skipped);
        Assert.Equal(1, listener.DeliveredMeasured);
        Assert.Equal(1, listener.Duplicated);
        Assert.Equal(1, listener.Unexpected);
        Assert.Equal(1, listener.ToBlocked);
        Assert.Equal(2, listener.ToNonFriend);
    }

    [Fact]
    public void Lost_is_what_the_expected_exceed_the_delivered_by_and_the_setup_rate_counts_requests_and_accepts_over_their_time()
    {
        Assert.Equal(7, FriendsCorrectness.Of(100, 93, 0, 0, 0, 0).Lost);
        Assert.Equal(0, FriendsCorrectness.Of(100, 101, 0, 0, 0, 0).Lost);

        var requests = SetupStep.Of(10_000, 4_000_000, LatencySummary.Empty);
        var accepts = SetupStep.Of(10_000, 6_000_000, LatencySummary.Empty);
        Assert.Equal((2_500.0, 4.0), (requests.PerSecond, requests.Seconds));
        Assert.Equal(2_000, FriendsSetup.Rate(requests, accepts));
    }

    [Fact]
    public async Task A_result_fails_on_lost_deliveries_and_on_presence_to_a_blocked_user_and_writes_its_files()
    {
        Assert.True(Result(lost: 0, toBlocked: 0).Passed);
        var failed = Result(lost: 3, toBlocked: 2);
        Assert.Equal(["3 PresenceUpdated deliveries to friends lost", "2 presences reached a user their subject blocked"], failed.Failures);

        var directory = Path.Combine(Path.GetTempPath(), $"cryb-friends-{Guid.NewGuid():N}");
        try
        {
            Assert.Equal(["result.json", "summary.md", "plot.svg", "plot.png"], await ResultWriter.WriteAsync(failed, directory));
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "result.json"), TestContext.Current.CancellationToken));
            Assert.Equal("friends", json.RootElement.GetProperty("run").GetProperty("scenario").GetString());
            Assert.Equal(2, json.RootElement.GetProperty("figures").GetProperty("correctness").GetProperty("toBlocked").GetInt64());
            Assert.Equal(2_000, json.RootElement.GetProperty("setup").GetProperty("friendCallsPerSecond").GetDouble());
            Assert.Equal(100, json.RootElement.GetProperty("options").GetProperty("rate").GetDouble());
            var summary = await File.ReadAllTextAsync(Path.Combine(directory, "summary.md"), TestContext.Current.CancellationToken);
            Assert.Contains("| 60,000 | 59,997 | 3 | 2 | 0 | 0 | 0 | 0 | 0 |", summary);
            Assert.Contains("verdict: **FAIL**: 3 PresenceUpdated deliveries to friends lost", summary);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static (PresenceOpLog Log, PresenceWatcher Listener, List<(PresenceOp, long)> Timed) Listen(int user, int blockers = 0)
    {
        var graph = new FriendGraph(users: 10, friends: 2, blockers);
        var log = new PresenceOpLog(10);
        var timed = new List<(PresenceOp, long)>();
        var ids = Enumerable.Range(0, 10).ToDictionary(i => $"u{i}", i => i);
        return (log, new PresenceWatcher(user, graph, ids, log, (op, arrived) => timed.Add((op, arrived - op.Intended))), timed);
    }

    private static PresenceOp Op(int user, string status, long intended, bool measured = true) => new(user, status, intended, measured);

    private static FriendsResult Result(long lost, long toBlocked)
    {
        var latency = new LatencySummary(1_000, 300, 400, 480, 490, 500, 310);
        var step = SetupStep.Of(10_000, 5_000_000, latency);
        var figures = new FriendsFigures(
            100, 100, 3_000, 3_000, 0, 0, new Dictionary<string, long>(), new Dictionary<string, IReadOnlyList<string>>(),
            latency, latency, [latency], FriendsCorrectness.Of(60_000, 60_000 - lost, toBlocked, 0, 0, 0), CpuReport.Create(30, [], 3_000, "changes"));
        return new FriendsResult(
            new RunInfo("friends", "run", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], default, default, "json", false, [], 2),
            new FriendsOptions(), new FriendsSetup(1_000, 20, 10_000, 50, step, step, SetupStep.Of(50, 100_000, latency), FriendsSetup.Rate(step, step)), figures);
    }
}
