using System.Collections.Concurrent;
using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Load.Guilds;
using Cryb.Bench.Load.Voice;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;
using Cryb.Testing;

namespace Cryb.Bench.Scenarios;

/// <summary>
/// The parameters of <c>voice</c>; the defaults are the issue's proof: 1,000 members of one server
/// joining and leaving its voice channels at 200 calls/s.
/// </summary>
public sealed record VoiceOptions
{
    /// <summary>Connected members of the server, the owner included.</summary>
    public int Users { get; init; } = 1_000;

    /// <summary>Voice channels of the server, every member may see and connect to each.</summary>
    public int Channels { get; init; } = 10;

    /// <summary>
    /// Members whose connections' <c>VoiceStateUpdated</c> are read and timed (the owner among
    /// them); they make no voice calls. Every other member receives the same events unread: reading
    /// 200 events/s on 1,000 connections would cost the generator more than the cluster it measures.
    /// </summary>
    public int Watchers { get; init; } = 100;

    /// <summary>Voice calls started per second over all actors (open model).</summary>
    public double Rate { get; init; } = 200;

    /// <summary>Of the calls of a member in voice, the share that leaves.</summary>
    public double LeaveShare { get; init; } = 0.4;

    /// <summary>Of the calls of a member in voice, the share that flips its self mute (<c>UpdateVoiceState</c>); the rest move to another channel.</summary>
    public double UpdateShare { get; init; } = 0.2;

    /// <summary>Load before the measured window, not recorded: a fresh cluster runs slower for about its first minute (bench/README.md).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Voice in one server: an owner creates it and <c>--channels</c> voice channels, <c>--users</c>
/// members (seeded through <c>IGuildGrain.ImportMembers</c> when the tool has the bench profile's
/// importer account, otherwise joining with an invite) connect with the official SignalR client,
/// and all but the <c>--watchers</c> make voice calls at <c>--rate</c> per second (open model): a
/// member outside voice joins a channel, one inside leaves, moves or flips its mute. Each call is
/// timed from its intended start to its answer, and to the arrival of its <c>VoiceStateUpdated</c>
/// at each watcher, which also checks that the server's voice versions grow and that no call's
/// event is missing.
/// </summary>
public static class VoiceScenario
{
    public const string Name = "voice";

    /// <summary>The issue's target for <c>VoiceStateUpdated</c> p99 to the server's members, on this machine.</summary>
    public const double TargetP99Milliseconds = 100;

    public static IReadOnlyList<OptionSpec<VoiceOptions>> Specs { get; } =
    [
        new("users", "connected members of the server, the owner included", o => o.Users, (o, v) => o with { Users = v.Int(min: 2) }),
        new("channels", "voice channels of the server", o => o.Channels, (o, v) => o with { Channels = v.Int(min: 2) }),
        new("watchers", "members whose VoiceStateUpdated events are read and timed (they make no voice calls)", o => o.Watchers, (o, v) => o with { Watchers = v.Int(min: 1) }),
        new("rate", "voice calls started per second over all actors, open model", o => o.Rate, (o, v) => o with { Rate = v.Double(min: 0.01) }),
        new("leave-share", "of the calls of a member in voice, the share that leaves", o => o.LeaveShare, (o, v) => o with { LeaveShare = v.Double(min: 0) }),
        new("update-share", "of the calls of a member in voice, the share that flips its self mute (UpdateVoiceState); the rest move", o => o.UpdateShare, (o, v) => o with { UpdateShare = v.Double(min: 0) }),
        .. SharedSpecs.Window<VoiceOptions>(
            o => o.Warmup, (o, v) => o with { Warmup = v },
            o => o.Duration, (o, v) => o with { Duration = v },
            o => o.Drain, (o, v) => o with { Drain = v }),
    ];

    public static async Task<VoiceResult> RunAsync(BenchContext context, VoiceOptions options, CancellationToken cancellation)
    {
        if (context.System != BenchSystem.Cryb)
        {
            throw new UsageException("voice measures Cryb's voice states; the baselines have none.");
        }

        if (context.Protocol != BenchProtocol.Json)
        {
            throw new UsageException("voice talks to the gateways through the official SignalR client with the JSON protocol only.");
        }

        if (options.Watchers >= options.Users)
        {
            throw new UsageException($"--watchers ({options.Watchers}) must leave actors among --users ({options.Users}).");
        }

        if (options.LeaveShare + options.UpdateShare > 1)
        {
            throw new UsageException("--leave-share and --update-share add up to more than 1.");
        }

        // The official client over WebSockets without negotiation (GuildClient), whatever --client says.
        context = context with { Client = BenchClientKind.Official, SkipNegotiation = true };
        FileLimits.RequireRoomFor(options.Users, "--users");
        var started = DateTimeOffset.UtcNow;
        var users = Enumerable.Range(0, options.Users).Select(i => context.UserId("v", i)).ToArray();
        var tokens = await DevTokens.FetchAsync(context.Gateways, users, context.SetupConcurrency, cancellation);

        // The owner is user 0, a watcher; users 0 .. watchers-1 watch, the rest act.
        var actorIds = users[options.Watchers..];
        var actorIndex = actorIds.Select((user, i) => (user, i)).ToDictionary(pair => pair.user, pair => pair.i, StringComparer.Ordinal);
        var log = new VoiceOpLog(actorIds.Length);
        var delivery = new LatencyHistogram();
        var windowStart = long.MaxValue;
        var bySecond = Enumerable.Range(0, Math.Max(1, (int)Math.Ceiling(options.Duration.TotalSeconds))).Select(_ => new LatencyHistogram()).ToArray();
        // Calls still in flight after the drain keep answering while the figures are read: what
        // arrives after the gate closes is not recorded (a histogram cannot be read while written).
        var gate = new object();
        var recording = true;
        var clients = users.Select((user, i) => new GuildClient(context.Gateway(i), user, tokens[i])).ToArray();
        var watchers = new List<VoiceWatcher>();
        for (var i = 0; i < options.Watchers; i++)
        {
            var watcher = new VoiceWatcher(users[i], actorIndex, log, (op, arrived) =>
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
            watchers.Add(watcher);
            clients[i].OnVoiceState(watcher.Seen);
        }

        try
        {
            var owner = clients[0];
            await owner.ConnectAsync(context.ConnectTimeout, cancellation);
            var guildId = await owner.CreateGuildAsync($"bench voice {context.RunId}", cancellation);
            var channels = new string[options.Channels];
            for (var c = 0; c < channels.Length; c++)
            {
                channels[c] = await owner.CreateVoiceChannelAsync(guildId, $"voice-{c}", cancellation);
            }

            var seeded = await SeedMembersAsync(context, owner, guildId, users[1..], clients[1..], cancellation);
            context.Log($"server {guildId}: {options.Channels} voice channels, {options.Users} members connected ({seeded}); {options.Watchers} watch, {actorIds.Length} act at {options.Rate:0.#} calls/s");

            var calls = new ConcurrentDictionary<VoiceOpKind, LatencyHistogram>();
            foreach (var kind in Enum.GetValues<VoiceOpKind>())
            {
                calls[kind] = new LatencyHistogram();
            }

            var allCalls = new LatencyHistogram();
            var errors = new ErrorCounter();
            var schedule = new VoiceSchedule(options, channels, actorIds.Length);
            var intervalMicros = 1_000_000.0 / options.Rate;
            var warmupCalls = (long)Math.Round(options.Warmup.TotalSeconds * options.Rate);
            var windowCalls = (long)Math.Round(options.Duration.TotalSeconds * options.Rate);
            var start = BenchClock.NowMicros + 100_000;
            Volatile.Write(ref windowStart, start + (long)(warmupCalls * intervalMicros));
            var meter = new CpuMeter(context.Processes);
            var inFlight = new List<Task>();
            var busySkipped = 0L;
            var lastAnswer = 0L;
            var meterStarted = false;
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
                    context.Log($"{g:N0} calls due ({(measured ? "measured" : "warm-up")}), {errors.Total} failed and {busySkipped} not started so far; {actorIds.Length - schedule.Idle} actors waiting on an answer");
                }

                if (schedule.Next(intended, measured) is not { } op)
                {
                    // Every actor still waits on its last call: the cluster is far behind.
                    busySkipped += measured ? 1 : 0;
                    continue;
                }

                log.Add(op);
                inFlight.Add(CallAsync(actorIds[op.Actor], clients[options.Watchers + op.Actor], op));
            }

            // CPU over the measured window only (the drain's idle tail would dilute it).
            var windowCpu = meter.Stop(0, "calls");

            // The drain: every call answered and every watcher has heard every successful call, or the time is up.
            var drainEnd = BenchClock.NowMicros + BenchClock.ToMicros(options.Drain);
            await Task.WhenAny(Task.WhenAll(inFlight), Task.Delay(options.Drain, cancellation));
            var all = log.All();
            var measuredOps = all.Where(op => op.Measured).ToArray();
            long ExpectedPerWatcher() => measuredOps.LongCount(op => op.Succeeded);
            while (BenchClock.NowMicros < drainEnd && watchers.Any(w => w.DeliveredMeasured + w.Skipped < ExpectedPerWatcher()))
            {
                await Task.Delay(100, cancellation);
            }

            lock (gate)
            {
                recording = false;
            }

            var expected = ExpectedPerWatcher();
            var unanswered = measuredOps.LongCount(op => !op.Answered);
            var answeredInWindow = measuredOps.LongCount(op => op.Succeeded);
            var cpu = CpuReport.Create(windowCpu.WindowSeconds, [.. windowCpu.Processes.Select(p => new ProcessCpuUse(p.Name, p.Pid, p.CpuSeconds))], answeredInWindow, "calls");
            var windowSeconds = Math.Max(0, Interlocked.Read(ref lastAnswer) - Volatile.Read(ref windowStart)) / 1e6;
            var figures = new VoiceFigures(
                options.Rate, windowSeconds > 0 ? Math.Round(answeredInWindow / windowSeconds, 1) : 0, measuredOps.Length, answeredInWindow, unanswered, busySkipped,
                measuredOps.GroupBy(op => op.Kind).ToDictionary(group => group.Key.ToString().ToLowerInvariant(), group => (long)group.Count()),
                errors.Snapshot(), errors.Examples(),
                calls.OrderBy(pair => pair.Key).ToDictionary(pair => pair.Key.ToString().ToLowerInvariant(), pair => pair.Value.Summarize()),
                allCalls.Summarize(),
                delivery.Summarize(),
                [.. bySecond.Select(histogram => histogram.Summarize())],
                new VoiceCorrectness(
                    watchers.Count, expected * watchers.Count, watchers.Sum(w => w.DeliveredMeasured),
                    watchers.Sum(w => Math.Max(0, expected - w.DeliveredMeasured)),
                    watchers.Sum(w => w.OutOfOrder), watchers.Sum(w => w.Unexpected)),
                cpu);
            context.Log($"{answeredInWindow:N0} of {measuredOps.Length:N0} measured calls answered; call p99 {figures.Call.P99} ms; VoiceStateUpdated p50 {figures.Delivery.P50} ms, p99 {figures.Delivery.P99} ms to {watchers.Count} watchers");
            return new VoiceResult(RunInfo.Of(context, Name, started), options, guildId, options.Channels, actorIds.Length, seeded, figures);

            async Task CallAsync(string userId, GuildClient client, VoiceOp op)
            {
                await Task.Yield();
                try
                {
                    switch (op.Kind)
                    {
                        case VoiceOpKind.Join or VoiceOpKind.Move:
                            await client.JoinVoiceAsync(op.ChannelId!, op.SelfMute, cancellation);
                            break;
                        case VoiceOpKind.Leave:
                            await client.LeaveVoiceAsync(cancellation);
                            break;
                        case VoiceOpKind.Update:
                            await client.UpdateVoiceStateAsync(op.SelfMute, cancellation);
                            break;
                    }

                    var answered = BenchClock.NowMicros;
                    op.Complete(true);
                    if (op.Measured)
                    {
                        lock (gate)
                        {
                            if (recording)
                            {
                                calls[op.Kind].Record(answered - op.Intended);
                                allCalls.Record(answered - op.Intended);
                                AtomicMax.Update(ref lastAnswer, answered);
                            }
                        }
                    }

                    schedule.Done(op, succeeded: true);
                }
                catch (Exception ex) when (!cancellation.IsCancellationRequested)
                {
                    op.Complete(false);
                    if (op.Measured)
                    {
                        errors.Add(ex);
                    }

                    schedule.Done(op, succeeded: false, notInVoice: ErrorCounter.CodeOf(ex) == "not_in_voice");
                }
            }
        }
        finally
        {
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency }, (client, _) => client.DisposeAsync());
        }
    }

    /// <summary>
    /// The members: imported through the backend-service bulk path when the tool has the bench
    /// profile's importer account (before they connect, so each one's <c>Ready</c> already lists the
    /// server), otherwise joined with an invite after connecting. Returns how.
    /// </summary>
    private static async Task<string> SeedMembersAsync(
        BenchContext context, GuildClient owner, string guildId, string[] members, GuildClient[] clients, CancellationToken cancellation)
    {
        var access = BackendAccess.FromEnvironment();
        if (access is not null)
        {
            await using var importer = await MemberImporter.ConnectAsync(access, cancellation);
            var added = await importer.ImportAsync(guildId, members, 5_000, _ => { }, cancellation);
            if (added != members.Length)
            {
                throw new BenchSetupException($"the import added {added} of {members.Length} members");
            }
        }

        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency, CancellationToken = cancellation },
            async (client, token) =>
            {
                try
                {
                    await client.ConnectAsync(context.ConnectTimeout, token);
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    throw new BenchSetupException($"{client.UserId} could not connect: {ex.Message}", ex);
                }
            });
        if (access is not null)
        {
            return "imported through IGuildGrain.ImportMembers";
        }

        var code = await owner.CreateInviteAsync(guildId, cancellation);
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency, CancellationToken = cancellation },
            async (client, token) =>
            {
                try
                {
                    await client.JoinGuildAsync(code, token);
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    throw new BenchSetupException($"{client.UserId} could not join the server: {ex.Message}", ex);
                }
            });
        return "joined with an invite";
    }
}
