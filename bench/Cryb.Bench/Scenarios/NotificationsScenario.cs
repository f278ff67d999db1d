using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Load.Guilds;
using Cryb.Bench.Load.Notifications;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;
using Cryb.Testing;

namespace Cryb.Bench.Scenarios;

/// <summary>
/// The parameters of <c>notifications</c>; the defaults are issue 22's figure: a channel of 1,000
/// members with <c>@everyone</c> mentions at 10/s, against the same plain sends without them.
/// </summary>
public sealed record NotificationsOptions
{
    /// <summary>Connected members of the server, the owner (who sends the mentions) included.</summary>
    public int Members { get; init; } = 1_000;

    /// <summary>Members who send the plain messages (not the owner).</summary>
    public int Senders { get; init; } = 10;

    /// <summary>
    /// Plain sends per second over all senders (open model), in both phases. Each reaches all
    /// 1,000 members: 20/s is 20,000 frames/s out of the gateways before the mentions add their
    /// own, about a quarter of what this 2-core machine delivered when voice saturated it (83,000).
    /// </summary>
    public double Rate { get; init; } = 20;

    /// <summary><c>@everyone</c> mentions per second by the owner in phase B (open model).</summary>
    public double MentionRate { get; init; } = 10;

    /// <summary>Plain sends before phase A's window, not recorded: a fresh cluster runs slower for about its first minute (bench/README.md).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Each phase's measured window.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Plain sends and mentions before phase B's window, not recorded: the first mention reads the server's roster and warms the notification path.</summary>
    public TimeSpan MentionWarmup { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Notifications under load, as issue 22's proof asks: an owner creates a server, <c>--members</c>
/// join it (seeded through <c>IGuildGrain.ImportMembers</c>) and connect with the official SignalR
/// client over both gateways. <c>--senders</c> of them send plain messages into the server's text
/// channel at <c>--rate</c> per second (open model) for the whole run: phase A, plain sends alone;
/// then phase B, the same plain sends while the owner sends <c>@everyone</c> at
/// <c>--mention-rate</c> per second into the same channel. Each phase has a measured window of
/// <c>--duration</c>. Every member but the owner reads every <c>NotificationCreated</c>: each mention
/// must reach each of them once. The result compares the plain sends' throughput and latency of
/// the two phases (target: phase B at least 80 % of phase A's throughput), and gives the rows the
/// mentions wrote per second and the notifications' latency.
/// </summary>
public static class NotificationsScenario
{
    public const string Name = "notifications";

    /// <summary>The target: the mention path slows plain sends by under 20 %, so phase B's plain throughput is at least this share of phase A's.</summary>
    public const double TargetRatio = 0.8;

    public static IReadOnlyList<OptionSpec<NotificationsOptions>> Specs { get; } =
    [
        new("members", "connected members of the server, the owner (who sends the mentions) included", o => o.Members, (o, v) => o with { Members = v.Int(min: 3) }),
        new("senders", "members sending plain messages (not the owner)", o => o.Senders, (o, v) => o with { Senders = v.Int(min: 1) }),
        new("rate", "plain sends per second over all senders, open model, in both phases", o => o.Rate, (o, v) => o with { Rate = v.Double(min: 0.01) }),
        new("mention-rate", "@everyone mentions per second by the owner in phase B, open model", o => o.MentionRate, (o, v) => o with { MentionRate = v.Double(min: 0.01) }),
        new("warmup", "seconds of plain sends before phase A's window, not recorded", o => o.Warmup, (o, v) => o with { Warmup = v.Seconds() }),
        new("duration", "seconds measured in each phase", o => o.Duration, (o, v) => o with { Duration = v.Seconds(min: 1) }),
        new("mention-warmup", "seconds of plain sends and mentions before phase B's window, not recorded", o => o.MentionWarmup, (o, v) => o with { MentionWarmup = v.Seconds() }),
        new("drain", "at most this many seconds to wait after the last send for its answer and notifications", o => o.Drain, (o, v) => o with { Drain = v.Seconds() }),
    ];

    public static NotifyTimeline Timeline(NotificationsOptions options) =>
        new(BenchClock.ToMicros(options.Warmup), BenchClock.ToMicros(options.Duration), BenchClock.ToMicros(options.MentionWarmup));

    public static async Task<NotificationsResult> RunAsync(BenchContext context, NotificationsOptions options, CancellationToken cancellation)
    {
        if (context.System != BenchSystem.Cryb)
        {
            throw new UsageException("notifications measures Cryb's notifications; the baselines have none.");
        }

        if (context.Protocol != BenchProtocol.Json)
        {
            throw new UsageException("notifications talks to the gateways through the official SignalR client with the JSON protocol only.");
        }

        if (options.Senders >= options.Members)
        {
            throw new UsageException($"--senders ({options.Senders}) must leave the owner among --members ({options.Members}).");
        }

        var access = BackendAccess.FromEnvironment() ?? throw new UsageException(
            $"notifications seeds the server's members as a backend service, through the Orleans client: run it with ./cryb bench notifications, or set {BackendAccess.RedisVariable}, " +
            $"{BackendAccess.ServiceNameVariable} and {BackendAccess.ServiceSecretVariable} (an account granted IGuildGrain.ImportMembers; " +
            $"{BackendAccess.ClusterIdVariable} if not '{BackendAccess.DefaultClusterId}', {BackendAccess.PostgresVariable} to count rows).");

        // The official client over WebSockets without negotiation (NotifyClient), whatever --client says.
        context = context with { Client = BenchClientKind.Official, SkipNegotiation = true };
        FileLimits.RequireRoomFor(options.Members, "--members");
        var started = DateTimeOffset.UtcNow;
        var users = Enumerable.Range(0, options.Members).Select(i => context.UserId("n", i)).ToArray();
        var tokens = await DevTokens.FetchAsync(context.Gateways, users, context.SetupConcurrency, cancellation);
        var timeline = Timeline(options);
        var mentionCount = timeline.Mentions(options.MentionRate);
        var plainCount = timeline.PlainSends(options.Rate);

        // The owner is user 0; users 1 .. senders send the plain messages; everyone but the owner hears each mention.
        var clients = users.Select((user, i) => new NotifyClient(context.Gateway(i), user, tokens[i])).ToArray();
        var owner = clients[0];
        await using var rows = access.Postgres is { } postgres ? new NotificationRows(postgres) : null;
        try
        {
            await owner.ConnectAsync(context.ConnectTimeout, cancellation);
            var (guildId, channelId) = await owner.CreateGuildAsync($"bench notifications {context.RunId}", cancellation);
            await using (var importer = await MemberImporter.ConnectAsync(access, cancellation))
            {
                var added = await importer.ImportAsync(guildId, users[1..], 5_000, _ => { }, cancellation);
                if (added != users.Length - 1)
                {
                    throw new BenchSetupException($"the import added {added} of {users.Length - 1} members");
                }
            }

            // Who hears what is counted under one lock; what arrives after the drain is not recorded
            // (a histogram cannot be read while written).
            var gate = new object();
            var recording = true;
            var tally = new MentionTally(channelId, users[0], users[1..], mentionCount);
            var mentionIntended = new long[mentionCount];
            var delivery = new LatencyHistogram();
            var seconds = (int)Math.Ceiling((timeline.BEnd - timeline.AStart) / 1e6);
            var deliveryBySecond = Enumerable.Range(0, seconds).Select(_ => new LatencyHistogram()).ToArray();
            var plainAckBySecond = Enumerable.Range(0, seconds).Select(_ => new LatencyHistogram()).ToArray();
            var start = long.MaxValue;
            int SecondOf(long intended) => Math.Clamp((int)((intended - Volatile.Read(ref start) - timeline.AStart) / 1_000_000), 0, seconds - 1);
            foreach (var client in clients)
            {
                var member = client.UserId;
                client.OnNotification((notification, arrived) =>
                {
                    lock (gate)
                    {
                        if (!recording)
                        {
                            return;
                        }

                        if (tally.Heard(member, notification) is { } k && timeline.PhaseOf(mentionIntended[k] - start) == NotifyPhase.B)
                        {
                            delivery.Record(arrived - mentionIntended[k]);
                            deliveryBySecond[SecondOf(mentionIntended[k])].Record(arrived - mentionIntended[k]);
                        }
                    }
                });
            }

            await Parallel.ForEachAsync(clients[1..], new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency, CancellationToken = cancellation },
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
            context.Log($"server {guildId}: {options.Members:N0} members connected (imported through IGuildGrain.ImportMembers); {options.Senders} send {options.Rate:0.#} plain messages/s into {channelId}, " +
                        $"the owner adds @everyone at {options.MentionRate:0.#}/s in phase B; {options.Warmup.TotalSeconds:0} s warm-up, {options.Duration.TotalSeconds:0} s A, {options.MentionWarmup.TotalSeconds:0} s warm-up, {options.Duration.TotalSeconds:0} s B");

            var plain = new SendRecord[plainCount];
            var mentions = new SendRecord[mentionCount];
            var errors = new ErrorCounter();
            var ackA = new LatencyHistogram();
            var ackB = new LatencyHistogram();
            var mentionAck = new LatencyHistogram();
            var inFlight = new List<Task>();
            var meter = new CpuMeter(context.Processes);
            CpuReport? cpuA = null, cpuB = null;
            (long Rows, long At)? rowsAtB = null, rowsAtEnd = null;
            var recipients = users[1..];
            var plainInterval = 1_000_000.0 / options.Rate;
            var mentionInterval = 1_000_000.0 / options.MentionRate;
            Volatile.Write(ref start, BenchClock.NowMicros + 200_000);
            var phases = PhaseWatchAsync();

            long g = 0;
            var k = 0;
            while (g < plainCount || k < mentionCount)
            {
                var nextPlain = g < plainCount ? start + (long)(g * plainInterval) : long.MaxValue;
                var nextMention = k < mentionCount ? start + timeline.MentionsStart + (long)(k * mentionInterval) : long.MaxValue;
                if (nextPlain <= nextMention)
                {
                    await BenchClock.WaitUntilAsync(nextPlain, cancellation);
                    var sender = clients[1 + (int)(g % options.Senders)];
                    plain[g] = new SendRecord(nextPlain, timeline.PhaseOf(nextPlain - start));
                    inFlight.Add(SendAsync(sender, plain[g], $"bench plain g={g}", $"p{g}", ack: plain[g].Phase switch { NotifyPhase.A => ackA, NotifyPhase.B => ackB, _ => null }, bySecond: true));
                    if (g % 1_000 == 0 && g > 0)
                    {
                        context.Log($"{g:N0} plain sends and {k:N0} mentions due ({plain[g].Phase}), {errors.Total} failed so far");
                    }

                    g++;
                }
                else
                {
                    await BenchClock.WaitUntilAsync(nextMention, cancellation);
                    mentionIntended[k] = nextMention;
                    mentions[k] = new SendRecord(nextMention, timeline.PhaseOf(nextMention - start));
                    inFlight.Add(SendAsync(owner, mentions[k], MentionTally.Content(k), $"m{k}", ack: mentions[k].Phase == NotifyPhase.B ? mentionAck : null, bySecond: false));
                    k++;
                }
            }

            await phases;

            // The drain: every send answered and every member has heard every answered window mention, or the time is up.
            var drainEnd = BenchClock.NowMicros + BenchClock.ToMicros(options.Drain);
            await Task.WhenAny(Task.WhenAll(inFlight), Task.Delay(options.Drain, cancellation));
            int[] WindowMentions(bool succeeded) => [.. Enumerable.Range(0, mentionCount).Where(i => mentions[i].Phase == NotifyPhase.B && mentions[i].Succeeded == succeeded)];
            long Missed()
            {
                lock (gate)
                {
                    return tally.MissedOf(WindowMentions(succeeded: true));
                }
            }

            while (BenchClock.NowMicros < drainEnd && Missed() > 0)
            {
                await Task.Delay(100, cancellation);
            }

            lock (gate)
            {
                recording = false;
            }

            var answeredWindowMentions = WindowMentions(succeeded: true);
            var expectedDeliveries = (long)answeredWindowMentions.Length * tally.Recipients;
            var delivered = answeredWindowMentions.Sum(i => tally.HeardOf(i));
            var correctness = new NotificationCorrectness(
                tally.Recipients, expectedDeliveries, delivered, Math.Max(0, expectedDeliveries - delivered), tally.Duplicates, tally.Unexpected,
                WindowMentions(succeeded: false).Sum(i => tally.HeardOf(i)));

            NotificationRowFigures? rowFigures = null;
            if (rows is not null && rowsAtB is { } atB && rowsAtEnd is { } atEnd)
            {
                var ids = answeredWindowMentions.Select(i => Guid.Parse(mentions[i].MessageId!)).ToArray();
                var byMessage = await rows.CountByMessageAsync(ids, cancellation);
                var perMention = ids.Select(id => byMessage.GetValueOrDefault(id)).ToArray();
                rowFigures = NotificationRowFigures.Of(atEnd.Rows - atB.Rows, atEnd.At - atB.At, perMention, tally.Recipients);
            }

            var phaseA = PhaseFigures.Of("A", options.Rate, plain.Where(send => send.Phase == NotifyPhase.A).ToArray(), timeline, start + timeline.AStart, ackA.Summarize());
            var phaseB = PhaseFigures.Of("B", options.Rate, plain.Where(send => send.Phase == NotifyPhase.B).ToArray(), timeline, start + timeline.BStart, ackB.Summarize());
            var mentionFigures = PhaseFigures.Of("mentions", options.MentionRate, mentions.Where(send => send.Phase == NotifyPhase.B).ToArray(), timeline, start + timeline.BStart, mentionAck.Summarize());
            CpuReport Units(CpuReport lap, long units) => CpuReport.Create(lap.WindowSeconds, [.. lap.Processes.Select(p => new ProcessCpuUse(p.Name, p.Pid, p.CpuSeconds))], units, "messages");
            var figures = new NotificationsFigures(
                phaseA, phaseB, mentionFigures, NotificationsFigures.Ratio(phaseA, phaseB),
                delivery.Summarize(), [.. deliveryBySecond.Select(histogram => histogram.Summarize())], [.. plainAckBySecond.Select(histogram => histogram.Summarize())],
                rowFigures, correctness, errors.Snapshot(), errors.Examples(),
                Units(cpuA!, phaseA.Acked), Units(cpuB!, phaseB.Acked + mentionFigures.Acked));
            context.Log($"plain sends: A {phaseA.AckedPerSecond:0.#}/s (ack p99 {phaseA.Ack.P99} ms), B {phaseB.AckedPerSecond:0.#}/s (ack p99 {phaseB.Ack.P99} ms): ratio {figures.ThroughputRatio:0.###}; " +
                        $"NotificationCreated p50 {figures.Delivery.P50} ms, p99 {figures.Delivery.P99} ms; {delivered:N0} of {expectedDeliveries:N0} delivered" +
                        (rowFigures is null ? "" : $"; {rowFigures.RowsPerSecond:N0} rows/s"));
            return new NotificationsResult(RunInfo.Of(context, Name, started), options, guildId, channelId, figures);

            // Meters each window's CPU and reads the rows at phase B's window's ends, on the run's clock.
            async Task PhaseWatchAsync()
            {
                await BenchClock.WaitUntilAsync(start + timeline.AStart, cancellation);
                meter.Start();
                await BenchClock.WaitUntilAsync(start + timeline.AEnd, cancellation);
                cpuA = meter.Stop(0, "messages");
                await BenchClock.WaitUntilAsync(start + timeline.BStart, cancellation);
                rowsAtB = rows is null ? null : await ReadRowsAsync();
                meter.Start();
                await BenchClock.WaitUntilAsync(start + timeline.BEnd, cancellation);
                cpuB = meter.Stop(0, "messages");
                rowsAtEnd = rows is null ? null : await ReadRowsAsync();
            }

            async Task<(long, long)> ReadRowsAsync()
            {
                var before = BenchClock.NowMicros;
                var count = await rows!.CountOfUsersAsync(recipients, cancellation);
                return (count, (before + BenchClock.NowMicros) / 2);
            }

            async Task SendAsync(NotifyClient client, SendRecord send, string content, string nonce, LatencyHistogram? ack, bool bySecond)
            {
                await Task.Yield();
                try
                {
                    var message = await client.SendMessageAsync(channelId, content, $"{context.RunId}-{nonce}", cancellation);
                    var answered = BenchClock.NowMicros;
                    lock (gate)
                    {
                        send.Answer(message.Id, answered);
                        if (recording && ack is not null)
                        {
                            ack.Record(answered - send.Intended);
                        }

                        if (recording && bySecond && send.Phase is NotifyPhase.A or NotifyPhase.B)
                        {
                            plainAckBySecond[SecondOf(send.Intended)].Record(answered - send.Intended);
                        }
                    }
                }
                catch (Exception ex) when (!cancellation.IsCancellationRequested)
                {
                    lock (gate)
                    {
                        send.Fail();
                        if (send.Phase is NotifyPhase.A or NotifyPhase.B)
                        {
                            errors.Add(ex);
                        }
                    }
                }
            }
        }
        finally
        {
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency }, (client, _) => client.DisposeAsync());
        }
    }
}
