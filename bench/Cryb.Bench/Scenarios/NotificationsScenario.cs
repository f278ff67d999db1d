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
/// members with <c>@everyone</c> mentions at 10/s, against the cluster's capacity for plain sends
/// measured without them and with them.
/// </summary>
public sealed record NotificationsOptions
{
    /// <summary>Connected members of the mentions' server, the owner (who sends the mentions) included.</summary>
    public int Members { get; init; } = 1_000;

    /// <summary>Small servers whose text channels carry the plain sends, apart from the mentions' server.</summary>
    public int PlainServers { get; init; } = 10;

    /// <summary>Connected members of each small server, its owner included: each plain message reaches this many.</summary>
    public int PlainMembers { get; init; } = 20;

    /// <summary>
    /// Closed-loop senders of plain messages, spread round-robin over the small servers: each sends
    /// its next message when the previous is answered, so their acknowledged sends/s is the
    /// cluster's send capacity at that concurrency.
    /// </summary>
    public int Senders { get; init; } = 20;

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
/// client over both gateways; beside it, <c>--plain-servers</c> small servers of
/// <c>--plain-members</c> each, connected the same way. <c>--senders</c> members of the small servers
/// send plain messages into their servers' text channels in a closed loop for the whole run, so
/// their acknowledged sends/s is the cluster's send capacity: phase A, plain sends alone; then
/// phase B, the same while the owner of the big server sends <c>@everyone</c> at
/// <c>--mention-rate</c> per second into its channel. Each phase has a measured window of
/// <c>--duration</c>. Every member of the big server but the owner reads every
/// <c>NotificationCreated</c>: each mention must reach each of them once. The ratio of the phases'
/// plain throughput is the mention path's effect on send throughput (target: at least 0.8); the
/// result also gives the rows the mentions wrote per second and the notifications' latency.
/// </summary>
public static class NotificationsScenario
{
    public const string Name = "notifications";

    /// <summary>The target: the mention path slows plain sends by under 20 %, so phase B's plain throughput is at least this share of phase A's.</summary>
    public const double TargetRatio = 0.8;

    public static IReadOnlyList<OptionSpec<NotificationsOptions>> Specs { get; } =
    [
        new("members", "connected members of the mentions' server, the owner (who sends the mentions) included", o => o.Members, (o, v) => o with { Members = v.Int(min: 2) }),
        new("plain-servers", "small servers whose text channels carry the plain sends", o => o.PlainServers, (o, v) => o with { PlainServers = v.Int(min: 1) }),
        new("plain-members", "connected members of each small server, its owner included", o => o.PlainMembers, (o, v) => o with { PlainMembers = v.Int(min: 1) }),
        new("senders", "closed-loop senders of plain messages, spread round-robin over the small servers", o => o.Senders, (o, v) => o with { Senders = v.Int(min: 1) }),
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

        if (options.Senders > options.PlainServers * options.PlainMembers)
        {
            throw new UsageException($"--senders ({options.Senders}) must be at most the small servers' members ({options.PlainServers} × {options.PlainMembers}).");
        }

        var access = BackendAccess.FromEnvironment() ?? throw new UsageException(
            $"notifications seeds the server's members as a backend service, through the Orleans client: run it with ./cryb bench notifications, or set {BackendAccess.RedisVariable}, " +
            $"{BackendAccess.ServiceNameVariable} and {BackendAccess.ServiceSecretVariable} (an account granted IGuildGrain.ImportMembers; " +
            $"{BackendAccess.ClusterIdVariable} if not '{BackendAccess.DefaultClusterId}', {BackendAccess.PostgresVariable} to count rows).");

        // The official client over WebSockets without negotiation (NotifyClient), whatever --client says.
        context = context with { Client = BenchClientKind.Official, SkipNegotiation = true };
        var plainUserCount = options.PlainServers * options.PlainMembers;
        FileLimits.RequireRoomFor(options.Members + plainUserCount, "--members and the small servers' members");
        var started = DateTimeOffset.UtcNow;
        var users = Enumerable.Range(0, options.Members).Select(i => context.UserId("n", i)).ToArray();
        var plainUsers = Enumerable.Range(0, plainUserCount).Select(i => context.UserId("p", i)).ToArray();
        var tokens = await DevTokens.FetchAsync(context.Gateways, [.. users, .. plainUsers], context.SetupConcurrency, cancellation);
        var timeline = Timeline(options);
        var mentionCount = timeline.Mentions(options.MentionRate);

        // The owner is user 0 and sends the mentions; everyone else of the big server hears each one.
        // Small server s has the plain users s × plain-members onwards, its owner first; sender i is
        // member i / plain-servers of server i mod plain-servers.
        var clients = users.Select((user, i) => new NotifyClient(context.Gateway(i), user, tokens[i])).ToArray();
        var plainClients = plainUsers.Select((user, i) => new NotifyClient(context.Gateway(options.Members + i), user, tokens[options.Members + i])).ToArray();
        var owner = clients[0];
        await using var rows = access.Postgres is { } postgres ? new NotificationRows(postgres) : null;
        try
        {
            await owner.ConnectAsync(context.ConnectTimeout, cancellation);
            var (guildId, channelId) = await owner.CreateGuildAsync($"bench notifications {context.RunId}", cancellation);
            var plainChannels = new string[options.PlainServers];
            await using (var importer = await MemberImporter.ConnectAsync(access, cancellation))
            {
                async Task ImportAsync(string guild, IReadOnlyList<string> members)
                {
                    var added = await importer.ImportAsync(guild, members, 5_000, _ => { }, cancellation);
                    if (added != members.Count)
                    {
                        throw new BenchSetupException($"the import into {guild} added {added} of {members.Count} members");
                    }
                }

                await ImportAsync(guildId, users[1..]);
                for (var s = 0; s < options.PlainServers; s++)
                {
                    var first = s * options.PlainMembers;
                    var plainOwner = plainClients[first];
                    await plainOwner.ConnectAsync(context.ConnectTimeout, cancellation);
                    (var plainGuild, plainChannels[s]) = await plainOwner.CreateGuildAsync($"bench notifications {context.RunId} plain {s}", cancellation);
                    await ImportAsync(plainGuild, plainUsers[(first + 1)..(first + options.PlainMembers)]);
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

            var plainOwners = Enumerable.Range(0, options.PlainServers).Select(s => plainClients[s * options.PlainMembers]).ToHashSet();
            await Parallel.ForEachAsync(clients[1..].Concat(plainClients.Where(client => !plainOwners.Contains(client))), new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency, CancellationToken = cancellation },
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
            context.Log($"server {guildId}: {options.Members:N0} members connected (imported through IGuildGrain.ImportMembers); {options.Senders} closed-loop senders send plain messages " +
                        $"into {options.PlainServers} servers of {options.PlainMembers}, the owner adds @everyone at {options.MentionRate:0.#}/s in phase B; {options.Warmup.TotalSeconds:0} s warm-up, {options.Duration.TotalSeconds:0} s A, {options.MentionWarmup.TotalSeconds:0} s warm-up, {options.Duration.TotalSeconds:0} s B");

            var plain = new List<SendRecord>();
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
            var mentionInterval = 1_000_000.0 / options.MentionRate;
            Volatile.Write(ref start, BenchClock.NowMicros + 200_000);
            var phases = PhaseWatchAsync();
            var senders = Enumerable.Range(0, options.Senders).Select(SenderLoopAsync).ToArray();

            // The mentions, open model: due at their times whether or not the earlier ones were answered.
            for (var k = 0; k < mentionCount; k++)
            {
                var due = start + timeline.MentionsStart + (long)(k * mentionInterval);
                await BenchClock.WaitUntilAsync(due, cancellation);
                mentionIntended[k] = due;
                mentions[k] = new SendRecord(due, timeline.PhaseOf(due - start));
                inFlight.Add(SendAsync(owner, channelId, mentions[k], MentionTally.Content(k), $"m{k}", ack: mentions[k].Phase == NotifyPhase.B ? mentionAck : null, bySecond: false));
                if (k % 100 == 0 && k > 0)
                {
                    int sent;
                    lock (gate)
                    {
                        sent = plain.Count;
                    }

                    context.Log($"{k:N0} mentions due ({mentions[k].Phase}), {sent:N0} plain sends started, {errors.Total} failed so far");
                }
            }

            await phases;
            inFlight.AddRange(senders);

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

            // A sender still waiting when the drain ran out may yet add to the list: read a copy.
            SendRecord[] plainSends;
            lock (gate)
            {
                plainSends = [.. plain];
            }

            PhaseFigures Plain(string name, NotifyPhase phase, long windowStart, LatencySummary ack)
            {
                var sends = plainSends.Where(send => send.Phase == phase).ToArray();
                return PhaseFigures.Of(name, Math.Round(sends.Length / options.Duration.TotalSeconds, 1), sends, timeline, windowStart, ack);
            }

            var phaseA = Plain("A", NotifyPhase.A, start + timeline.AStart, ackA.Summarize());
            var phaseB = Plain("B", NotifyPhase.B, start + timeline.BStart, ackB.Summarize());
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

            // One closed-loop sender: its next plain send starts when the previous is answered (or
            // failed), from the first send's time to the end of phase B's window; a send's latency
            // counts from its actual start (there is no schedule to fall behind).
            async Task SenderLoopAsync(int i)
            {
                await Task.Yield();
                var client = plainClients[(i % options.PlainServers) * options.PlainMembers + i / options.PlainServers];
                var channel = plainChannels[i % options.PlainServers];
                await BenchClock.WaitUntilAsync(start, cancellation);
                for (var n = 0L; ; n++)
                {
                    var now = BenchClock.NowMicros;
                    var phase = timeline.PhaseOf(now - start);
                    if (phase == NotifyPhase.After)
                    {
                        return;
                    }

                    var send = new SendRecord(now, phase);
                    lock (gate)
                    {
                        plain.Add(send);
                    }

                    await SendAsync(client, channel, send, $"bench plain s={i} n={n}", $"p{i}-{n}", ack: phase switch { NotifyPhase.A => ackA, NotifyPhase.B => ackB, _ => null }, bySecond: true);
                }
            }

            async Task SendAsync(NotifyClient client, string channel, SendRecord send, string content, string nonce, LatencyHistogram? ack, bool bySecond)
            {
                await Task.Yield();
                try
                {
                    var message = await client.SendMessageAsync(channel, content, $"{context.RunId}-{nonce}", cancellation);
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
            await Parallel.ForEachAsync(clients.Concat(plainClients), new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency }, (client, _) => client.DisposeAsync());
        }
    }
}
