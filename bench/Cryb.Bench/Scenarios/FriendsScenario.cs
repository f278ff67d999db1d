using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Load.Friends;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;

namespace Cryb.Bench.Scenarios;

/// <summary>
/// The parameters of <c>friends</c>; the defaults are issue 21's figure: 1,000 users with 20 friends
/// each, 5 % of them blocking one, changing presence at 100 changes/s.
/// </summary>
public sealed record FriendsOptions
{
    /// <summary>Connected users, alternating gateways.</summary>
    public int Users { get; init; } = 1_000;

    /// <summary>Friends of each user before the blocks (a ring: half asked, half accepted); even.</summary>
    public int Friends { get; init; } = 20;

    /// <summary>The share of users who each block the friend after them on the ring.</summary>
    public double Blockers { get; init; } = 0.05;

    /// <summary>Presence changes started per second over all users (open model).</summary>
    public double Rate { get; init; } = 100;

    /// <summary>Load before the measured window, not recorded: a fresh cluster runs slower for about its first minute (bench/README.md).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Presence between friends: <c>--users</c> connect with the official SignalR client over both
/// gateways, sharing no channel or server; each befriends its neighbours on a ring
/// (<see cref="FriendGraph"/>: <c>SendFriendRequest</c>, then <c>AcceptFriendRequest</c> by the
/// other, through the hub), and the <c>--blockers</c> share each block the friend after them. Then
/// users change presence (<c>SetPresence</c> online → dnd → idle → online) at <c>--rate</c> per
/// second (open model). Every connection reads every <c>PresenceUpdated</c>: at 20 friends and 100
/// changes/s that is 2 presences/s per connection, cheap enough to read all. Each change is timed
/// from its intended start to its arrival at each friend, and counted: every friend must hear it
/// once, nobody else at all, and least of all the user its subject blocked.
/// </summary>
public static class FriendsScenario
{
    public const string Name = "friends";

    public static IReadOnlyList<OptionSpec<FriendsOptions>> Specs { get; } =
    [
        new("users", "connected users, alternating gateways, sharing no channel or server", o => o.Users, (o, v) => o with { Users = v.Int(min: 4) }),
        new("friends", "friends of each user before the blocks (a ring: half asked, half accepted); even", o => o.Friends, (o, v) => o with { Friends = v.Int(min: 2) }),
        new("blockers", "the share of users who each block the friend after them on the ring", o => o.Blockers, (o, v) => o with { Blockers = v.Double(min: 0) }),
        new("rate", "presence changes (SetPresence) started per second over all users, open model", o => o.Rate, (o, v) => o with { Rate = v.Double(min: 0.01) }),
        .. SharedSpecs.Window<FriendsOptions>(
            o => o.Warmup, (o, v) => o with { Warmup = v },
            o => o.Duration, (o, v) => o with { Duration = v },
            o => o.Drain, (o, v) => o with { Drain = v }),
    ];

    /// <summary>How long the connections must hear no presence before the load starts: the setup's own (connects, new friends) come within the presence grain's 250 ms and the gateway's 250 ms batch.</summary>
    private static readonly TimeSpan SetupQuiet = TimeSpan.FromSeconds(1);

    /// <summary>The presence grain's automatic idle (PresenceOptions.IdleAfter), which the bench profile keeps.</summary>
    private static readonly TimeSpan AutoIdleAfter = TimeSpan.FromMinutes(5);

    /// <summary>The ring the options describe; a usage error when they describe none.</summary>
    public static FriendGraph Graph(FriendsOptions options)
    {
        if (options.Friends % 2 != 0)
        {
            throw new UsageException($"--friends ({options.Friends}) must be even: each user asks half of its friends and accepts the other half.");
        }

        if (options.Users < options.Friends + 2)
        {
            throw new UsageException($"--users ({options.Users}) must be at least --friends + 2 ({options.Friends + 2}).");
        }

        if (options.Blockers > 1)
        {
            throw new UsageException($"--blockers ({options.Blockers}) is a share of the users, at most 1.");
        }

        return new FriendGraph(options.Users, options.Friends, (int)Math.Round(options.Users * options.Blockers));
    }

    public static async Task<FriendsResult> RunAsync(BenchContext context, FriendsOptions options, CancellationToken cancellation)
    {
        if (context.System != BenchSystem.Cryb)
        {
            throw new UsageException("friends measures Cryb's relationships and presence; the baselines have none.");
        }

        if (context.Protocol != BenchProtocol.Json)
        {
            throw new UsageException("friends talks to the gateways through the official SignalR client with the JSON protocol only.");
        }

        var graph = Graph(options);
        // The official client over WebSockets without negotiation (FriendClient), whatever --client says.
        context = context with { Client = BenchClientKind.Official, SkipNegotiation = true };
        FileLimits.RequireRoomFor(options.Users, "--users");
        var started = DateTimeOffset.UtcNow;
        var users = Enumerable.Range(0, options.Users).Select(i => context.UserId("f", i)).ToArray();
        var index = users.Select((user, i) => (user, i)).ToDictionary(pair => pair.user, pair => pair.i, StringComparer.Ordinal);
        var tokens = await DevTokens.FetchAsync(context.Gateways, users, context.SetupConcurrency, cancellation);

        var log = new PresenceOpLog(options.Users);
        var delivery = new LatencyHistogram();
        var windowStart = long.MaxValue;
        var bySecond = Enumerable.Range(0, Math.Max(1, (int)Math.Ceiling(options.Duration.TotalSeconds))).Select(_ => new LatencyHistogram()).ToArray();
        // Calls still in flight after the drain keep answering while the figures are read: what
        // arrives after the gate closes is not recorded (a histogram cannot be read while written).
        var gate = new object();
        var recording = true;
        var clients = users.Select((user, i) => new FriendClient(context.Gateway(i), user, tokens[i])).ToArray();
        var watchers = new PresenceWatcher[options.Users];
        for (var i = 0; i < options.Users; i++)
        {
            var watcher = watchers[i] = new PresenceWatcher(i, graph, index, log, (op, arrived) =>
            {
                lock (gate)
                {
                    if (recording)
                    {
                        delivery.Record(arrived - op.Intended);
                        bySecond[Math.Clamp((int)((op.Intended - Volatile.Read(ref windowStart)) / 1_000_000), 0, bySecond.Length - 1)].Record(arrived - op.Intended);
                    }
                }
            });
            clients[i].OnPresence(watcher.Seen);
        }

        try
        {
            await ForEachAsync(context, clients, async (client, token) => await client.ConnectAsync(context.ConnectTimeout, token), "connect", cancellation);
            var connected = BenchClock.NowMicros;
            context.Log($"{options.Users} users connected over {context.Gateways.Count} gateways; making {graph.Users * graph.Reach:N0} friendships and {graph.Blockers} blocks");
            var setup = await MakeRelationshipsAsync(context, graph, users, clients, options, cancellation);
            context.Log($"setup: {setup.Requests.Calls:N0} requests in {setup.Requests.Seconds:0.0} s, {setup.Accepts.Calls:N0} accepts in {setup.Accepts.Seconds:0.0} s ({setup.FriendCallsPerSecond:N1} calls/s), {setup.BlockCalls.Calls} blocks");

            // The setup's presences (connects, new friends) are not the load's: wait until none has
            // arrived anywhere for a while, then count everything.
            var quietSince = BenchClock.NowMicros + BenchClock.ToMicros(TimeSpan.FromSeconds(30));
            while (BenchClock.NowMicros - watchers.Max(w => w.LastArrival) < BenchClock.ToMicros(SetupQuiet) && BenchClock.NowMicros < quietSince)
            {
                await Task.Delay(100, cancellation);
            }

            // SetPresence is not activity: a user chosen online whose connection reported none for
            // 5 minutes (PresenceOptions.IdleAfter) turns idle by itself, a change no call made.
            var loadEnds = BenchClock.NowMicros + BenchClock.ToMicros(options.Warmup + options.Duration + options.Drain);
            if (loadEnds - connected > BenchClock.ToMicros(AutoIdleAfter))
            {
                context.Log($"warning: the load ends more than {AutoIdleAfter.TotalMinutes:0} minutes after the users connected; the presence grain turns them idle by itself then, and their changes stop matching the calls");
            }

            foreach (var watcher in watchers)
            {
                watcher.Open();
            }

            var calls = new LatencyHistogram();
            var errors = new ErrorCounter();
            var schedule = new PresenceSchedule(options.Users);
            var intervalMicros = 1_000_000.0 / options.Rate;
            var warmupCalls = (long)Math.Round(options.Warmup.TotalSeconds * options.Rate);
            var windowCalls = (long)Math.Round(options.Duration.TotalSeconds * options.Rate);
            var start = BenchClock.NowMicros + 100_000;
            Volatile.Write(ref windowStart, start + (long)(warmupCalls * intervalMicros));
            var meter = new CpuMeter(context.Processes);
            var inFlight = new List<Task>();
            var notStarted = 0L;
            var lastAnswer = 0L;
            var meterStarted = false;
            context.Log($"presence changes at {options.Rate:0.#}/s: {options.Warmup.TotalSeconds:0} s warm-up, {options.Duration.TotalSeconds:0} s measured");
            for (long g = 0; g < warmupCalls + windowCalls; g++)
            {
                var intended = start + (long)(g * intervalMicros);
                await BenchClock.WaitUntilAsync(intended, cancellation);
                var measured = g >= warmupCalls;
                if (measured && !meterStarted)
                {
                    meter.Start();
                    meterStarted = true;
                }

                if (g % 2_000 == 0 && g > 0)
                {
                    context.Log($"{g:N0} changes due ({(measured ? "measured" : "warm-up")}), {errors.Total} failed and {notStarted} not started so far");
                }

                if (schedule.Next(intended, measured) is not { } op)
                {
                    notStarted += measured ? 1 : 0;
                    continue;
                }

                log.Add(op);
                inFlight.Add(CallAsync(clients[op.User], op));
            }

            // CPU over the measured window only (the drain's idle tail would dilute it).
            var windowCpu = meter.Stop(0, "changes");

            // The drain: every call answered and every friend has heard every successful change, or the time is up.
            var drainEnd = BenchClock.NowMicros + BenchClock.ToMicros(options.Drain);
            await Task.WhenAny(Task.WhenAll(inFlight), Task.Delay(options.Drain, cancellation));
            var measuredOps = log.All().Where(op => op.Measured).ToArray();
            long Expected() => measuredOps.Where(op => op.Succeeded).Sum(op => (long)graph.FriendCount(op.User));
            while (BenchClock.NowMicros < drainEnd && watchers.Sum(w => w.DeliveredMeasured + w.Skipped) < Expected())
            {
                await Task.Delay(100, cancellation);
            }

            lock (gate)
            {
                recording = false;
            }

            var succeeded = measuredOps.LongCount(op => op.Succeeded);
            var cpu = CpuReport.Create(windowCpu.WindowSeconds, [.. windowCpu.Processes.Select(p => new ProcessCpuUse(p.Name, p.Pid, p.CpuSeconds))], succeeded, "changes");
            var windowSeconds = Math.Max(0, Interlocked.Read(ref lastAnswer) - Volatile.Read(ref windowStart)) / 1e6;
            var figures = new FriendsFigures(
                options.Rate, windowSeconds > 0 ? Math.Round(succeeded / windowSeconds, 1) : 0, measuredOps.Length, succeeded,
                measuredOps.LongCount(op => !op.Answered), notStarted,
                errors.Snapshot(), errors.Examples(),
                calls.Summarize(), delivery.Summarize(), [.. bySecond.Select(histogram => histogram.Summarize())],
                FriendsCorrectness.Of(
                    Expected(), watchers.Sum(w => w.DeliveredMeasured), watchers.Sum(w => w.ToBlocked), watchers.Sum(w => w.ToNonFriend),
                    watchers.Sum(w => w.Duplicated), watchers.Sum(w => w.Unexpected)),
                cpu);
            var c = figures.Correctness;
            context.Log($"{succeeded:N0} of {measuredOps.Length:N0} measured changes answered; SetPresence p99 {figures.Call.P99} ms; PresenceUpdated p50 {figures.Delivery.P50} ms, p99 {figures.Delivery.P99} ms; " +
                        $"{c.Delivered:N0} of {c.Expected:N0} delivered, {c.ToBlocked} to blocked users, {c.ToNonFriend} to non-friends");
            return new FriendsResult(RunInfo.Of(context, Name, started), options, setup, figures);

            async Task CallAsync(FriendClient client, PresenceOp op)
            {
                await Task.Yield();
                try
                {
                    await client.SetPresenceAsync(op.Status, cancellation);
                    var answered = BenchClock.NowMicros;
                    op.Complete(true);
                    if (op.Measured)
                    {
                        lock (gate)
                        {
                            if (recording)
                            {
                                calls.Record(answered - op.Intended);
                                AtomicMax.Update(ref lastAnswer, answered);
                            }
                        }
                    }

                    schedule.Done(op, succeeded: true, answered);
                }
                catch (Exception ex) when (!cancellation.IsCancellationRequested)
                {
                    op.Complete(false);
                    if (op.Measured)
                    {
                        errors.Add(ex);
                    }

                    schedule.Done(op, succeeded: false, BenchClock.NowMicros);
                }
            }
        }
        finally
        {
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency }, (client, _) => client.DisposeAsync());
        }
    }

    /// <summary>
    /// The ring's requests, then their accepts, then the blocks, each step all at once at the
    /// tool's setup concurrency and timed; any refusal stops the run (the figures need the graph whole).
    /// </summary>
    private static async Task<FriendsSetup> MakeRelationshipsAsync(
        BenchContext context, FriendGraph graph, string[] users, FriendClient[] clients, FriendsOptions options, CancellationToken cancellation)
    {
        var requests = await StepAsync(context, [.. graph.Requests()], "SendFriendRequest", "outgoing",
            (pair, token) => clients[pair.Item1].SendFriendRequestAsync(users[pair.Item2], token), cancellation);
        var accepts = await StepAsync(context, [.. graph.Requests()], "AcceptFriendRequest", "friend",
            (pair, token) => clients[pair.Item2].AcceptFriendRequestAsync(users[pair.Item1], token), cancellation);
        var blocks = await StepAsync(context, [.. graph.Blocks()], "BlockUser", "blocked",
            (pair, token) => clients[pair.Item1].BlockUserAsync(users[pair.Item2], token), cancellation);
        return new FriendsSetup(options.Users, options.Friends, accepts.Calls, graph.Blockers, requests, accepts, blocks, FriendsSetup.Rate(requests, accepts));
    }

    private static async Task<SetupStep> StepAsync(
        BenchContext context, (int, int)[] pairs, string method, string kind, Func<(int, int), CancellationToken, Task<string>> call, CancellationToken cancellation)
    {
        var latency = new LatencyHistogram();
        var begun = BenchClock.NowMicros;
        await Parallel.ForEachAsync(pairs, new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency, CancellationToken = cancellation },
            async (pair, token) =>
            {
                var callStarted = BenchClock.NowMicros;
                string answer;
                try
                {
                    answer = await call(pair, token);
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    throw new BenchSetupException($"{method} between users {pair.Item1} and {pair.Item2} failed: {ex.Message}", ex);
                }

                if (answer != kind)
                {
                    throw new BenchSetupException($"{method} between users {pair.Item1} and {pair.Item2} answered {answer}, not {kind}");
                }

                var took = BenchClock.NowMicros - callStarted;
                lock (latency)
                {
                    latency.Record(took);
                }
            });
        return SetupStep.Of(pairs.Length, BenchClock.NowMicros - begun, latency.Summarize());
    }

    private static Task ForEachAsync(BenchContext context, FriendClient[] clients, Func<FriendClient, CancellationToken, Task> action, string what, CancellationToken cancellation) =>
        Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency, CancellationToken = cancellation },
            async (client, token) =>
            {
                try
                {
                    await action(client, token);
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    throw new BenchSetupException($"{client.UserId} could not {what}: {ex.Message}", ex);
                }
            });
}
