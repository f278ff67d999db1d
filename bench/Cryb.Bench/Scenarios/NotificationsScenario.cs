using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Load.Clients;
using Cryb.Bench.Load.Guilds;
using Cryb.Bench.Load.Notifications;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;
using Cryb.Testing;

namespace Cryb.Bench.Scenarios;

/// <summary>
/// The parameters of <c>notifications</c>; the defaults are issue 22's figure: a channel of 1,000
/// members with <c>@everyone</c> mentions at 10/s, against the cluster's capacity for plain sends
/// measured beside the same rate of plain messages into that channel, beside the mentions, and alone,
/// in segments that take turns (A, C, B, then B, C, A, and so on) so that a drift of the machine's speed touches each alike.
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

    /// <summary>The owner's messages per second into the big channel (open model): plain ones in phase C's segments, <c>@everyone</c> in phase B's, none in phase A's.</summary>
    public double MentionRate { get; init; } = 10;

    /// <summary>Plain sends alone before the owner's warm-up, not recorded: a fresh cluster runs slower for about its first minute (bench/README.md).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The owner's sends after <see cref="Warmup"/> and before the first segment, not recorded:
    /// plain for the first half (they warm the big channel's fan-out), <c>@everyone</c> for the
    /// second (the first mention reads the server's roster and warms the notification path).
    /// </summary>
    public TimeSpan MentionWarmup { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>One measured segment; each round has one of phase A, C and B: in that order in even rounds, mirrored in odd ones.</summary>
    public TimeSpan Segment { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Rounds of segments: each phase is measured for <see cref="Rounds"/> × <see cref="Segment"/>.</summary>
    public int Rounds { get; init; } = 4;

    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Notifications under load, as issue 22's proof asks: an owner creates a server, <c>--members</c>
/// join it (seeded through <c>IGuildGrain.ImportMembers</c>) and connect over both gateways, the
/// owner with the official SignalR client, the members, who only listen, with the lean one
/// (<see cref="LeanSignalRClient"/>); beside it, <c>--plain-servers</c> small servers of
/// <c>--plain-members</c> each, connected with the official client. <c>--senders</c> members of the small servers
/// send plain messages into their servers' text channels in a closed loop for the whole run, so
/// their acknowledged sends/s is the cluster's send capacity: phase A, plain sends alone; phase C,
/// the same while the owner of the big server sends plain messages at <c>--mention-rate</c> per
/// second into its channel; phase B, the same with <c>@everyone</c> in them. After the warm-ups the
/// phases take turns: <c>--rounds</c> rounds of an A, a C and a B segment of <c>--segment</c> each
/// (<see cref="NotifyTimeline"/>). Every member of the big server but the owner reads every
/// <c>NotificationCreated</c>: each mention must reach each of them once, and no plain message any.
/// The ratio of phase B's plain throughput to phase C's is the mention path's effect on send
/// throughput, the messages' own fan-out to 1,000 members being in both (target: at least 0.8);
/// B over A, against plain sends alone, is reported beside it. The result also gives the rows the
/// mentions wrote per second and the notifications' latency.
/// </summary>
public static class NotificationsScenario
{
    public const string Name = "notifications";

    /// <summary>
    /// The target: the mention path slows plain sends by under 20 %, so phase B's plain
    /// throughput is at least this share of phase C's (the same rate of plain messages into the
    /// same channel, so that only the mention path differs).
    /// </summary>
    public const double TargetRatio = 0.8;

    public static IReadOnlyList<OptionSpec<NotificationsOptions>> Specs { get; } =
    [
        new("members", "connected members of the mentions' server, the owner (who sends the mentions) included", o => o.Members, (o, v) => o with { Members = v.Int(min: 2) }),
        new("plain-servers", "small servers whose text channels carry the plain sends", o => o.PlainServers, (o, v) => o with { PlainServers = v.Int(min: 1) }),
        new("plain-members", "connected members of each small server, its owner included", o => o.PlainMembers, (o, v) => o with { PlainMembers = v.Int(min: 1) }),
        new("senders", "closed-loop senders of plain messages, spread round-robin over the small servers", o => o.Senders, (o, v) => o with { Senders = v.Int(min: 1) }),
        new("mention-rate", "the owner's messages per second into the big channel, open model: plain in phase C's segments, @everyone in phase B's, none in phase A's", o => o.MentionRate, (o, v) => o with { MentionRate = v.Double(min: 0.01) }),
        new("warmup", "seconds of plain sends alone before the owner's warm-up, not recorded", o => o.Warmup, (o, v) => o with { Warmup = v.Seconds() }),
        new("mention-warmup", "seconds of the owner's sends before the first segment, not recorded: plain for the first half, @everyone for the second", o => o.MentionWarmup, (o, v) => o with { MentionWarmup = v.Seconds() }),
        new("segment", "seconds of each measured segment; a round is an A, a C and a B segment, in that order in even rounds and mirrored in odd ones", o => o.Segment, (o, v) => o with { Segment = v.Seconds(min: 1) }),
        new("rounds", "rounds of segments: each phase is measured for rounds × segment seconds", o => o.Rounds, (o, v) => o with { Rounds = v.Int(min: 1) }),
        new("drain", "at most this many seconds to wait after the last send for its answer and notifications", o => o.Drain, (o, v) => o with { Drain = v.Seconds() }),
    ];

    public static NotifyTimeline Timeline(NotificationsOptions options) =>
        new(BenchClock.ToMicros(options.Warmup), BenchClock.ToMicros(options.MentionWarmup), BenchClock.ToMicros(options.Segment), options.Rounds);

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
        var channelDues = timeline.ChannelSendDues(options.MentionRate);
        var channelSendCount = channelDues.Count;

        // The owner is user 0 and sends into the big channel (plain, then mentions); everyone else of the big server hears each mention.
        // Small server s has the plain users s × plain-members onwards, its owner first; sender i is
        // member i / plain-servers of server i mod plain-servers.
        // The members only listen: they read their frames with the lean client, which reads a
        // NotificationCreated in a few microseconds, where the official client's dispatch took the
        // generator a tenth of a core at 10,000 a second, on the cores the cluster runs on.
        var owner = new NotifyClient(context.Gateway(0), users[0], tokens[0]);
        var members = users.Select((user, i) => (user, i)).Skip(1).Select(member => new LeanSignalRClient(context.Gateway(member.i), member.user, tokens[member.i])).ToArray();
        var plainClients = plainUsers.Select((user, i) => new NotifyClient(context.Gateway(options.Members + i), user, tokens[options.Members + i])).ToArray();
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
            var tally = new MentionTally(channelId, users[0], users[1..], channelSendCount);
            var channelIntended = new long[channelSendCount];
            var delivery = new LatencyHistogram();
            var seconds = (int)Math.Ceiling((timeline.MeasuredEnd - timeline.MeasuredStart) / 1e6);
            var deliveryBySecond = Enumerable.Range(0, seconds).Select(_ => new LatencyHistogram()).ToArray();
            var plainAckBySecond = Enumerable.Range(0, seconds).Select(_ => new LatencyHistogram()).ToArray();
            var start = long.MaxValue;
            int SecondOf(long intended) => Math.Clamp((int)((intended - Volatile.Read(ref start) - timeline.MeasuredStart) / 1_000_000), 0, seconds - 1);
            Action<NotificationSeen, long> Hearing(string member) =>
                (notification, arrived) =>
                {
                    lock (gate)
                    {
                        if (!recording)
                        {
                            return;
                        }

                        if (tally.Heard(member, notification) is { } k && timeline.PhaseOf(channelIntended[k] - start) == NotifyPhase.B)
                        {
                            delivery.Record(arrived - channelIntended[k]);
                            deliveryBySecond[SecondOf(channelIntended[k])].Record(arrived - channelIntended[k]);
                        }
                    }
                };

            owner.OnNotification(Hearing(owner.UserId));
            foreach (var member in members)
            {
                member.OnNotification = Hearing(member.UserId);
            }

            var plainOwners = Enumerable.Range(0, options.PlainServers).Select(s => plainClients[s * options.PlainMembers]).ToHashSet();
            var connects = members.Select(member => (member.UserId, Connect: (Func<CancellationToken, Task>)(token => member.ConnectAsync(context.ConnectTimeout, token))))
                .Concat(plainClients.Where(client => !plainOwners.Contains(client)).Select(client => (client.UserId, Connect: (Func<CancellationToken, Task>)(token => client.ConnectAsync(context.ConnectTimeout, token)))));
            await Parallel.ForEachAsync(connects, new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency, CancellationToken = cancellation },
                async (connect, token) =>
                {
                    try
                    {
                        await connect.Connect(token);
                    }
                    catch (Exception ex) when (!token.IsCancellationRequested)
                    {
                        throw new BenchSetupException($"{connect.UserId} could not connect: {ex.Message}", ex);
                    }
                });
            context.Log($"server {guildId}: {options.Members:N0} members connected (imported through IGuildGrain.ImportMembers); {options.Senders} closed-loop senders send plain messages " +
                        $"into {options.PlainServers} servers of {options.PlainMembers}, the owner adds {options.MentionRate:0.#}/s into its channel, plain in phase C, @everyone in phase B, nothing in phase A; " +
                        $"{options.Warmup.TotalSeconds:0} s warm-up, {options.MentionWarmup.TotalSeconds:0} s of the owner's warm-up (plain, then @everyone), then {options.Rounds} rounds of A, C, B segments (every other round mirrored) of {options.Segment.TotalSeconds:0.#} s");

            var plain = new List<SendRecord>();
            var channelSends = new SendRecord[channelSendCount];
            var errors = new ErrorCounter();
            var ackA = new LatencyHistogram();
            var ackC = new LatencyHistogram();
            var ackB = new LatencyHistogram();
            var channelPlainAck = new LatencyHistogram();
            var mentionAck = new LatencyHistogram();
            var inFlight = new List<Task>();
            var meter = new CpuMeter(context.Processes);
            var cpuSegments = new Dictionary<NotifyPhase, List<CpuReport>> { [NotifyPhase.A] = [], [NotifyPhase.C] = [], [NotifyPhase.B] = [] };
            var rowsInB = new List<((long Rows, long At) Start, (long Rows, long At) End)>();
            var recipients = users[1..];
            Volatile.Write(ref start, BenchClock.NowMicros + 200_000);
            var phases = PhaseWatchAsync();
            var senders = Enumerable.Range(0, options.Senders).Select(SenderLoopAsync).ToArray();

            // The owner's sends into the big channel, open model: due at their times whether or not the
            // earlier ones were answered; at one rate, plain in phase C's segments, @everyone in phase B's.
            for (var k = 0; k < channelSendCount; k++)
            {
                var due = start + channelDues[k];
                await BenchClock.WaitUntilAsync(due, cancellation);
                channelIntended[k] = due;
                var send = channelSends[k] = new SendRecord(due, timeline.PhaseOf(due - start));
                var ack = send.Phase switch { NotifyPhase.C => channelPlainAck, NotifyPhase.B => mentionAck, _ => null };
                inFlight.Add(timeline.IsMention(due - start)
                    ? SendAsync(owner, channelId, send, MentionTally.Content(k), $"m{k}", ack, bySecond: false)
                    : SendAsync(owner, channelId, send, MentionTally.PlainContent(k), $"c{k}", ack, bySecond: false));
                if (k % 100 == 0 && k > 0)
                {
                    int sent;
                    lock (gate)
                    {
                        sent = plain.Count;
                    }

                    context.Log($"{k:N0} sends into the big channel due ({send.Phase}), {sent:N0} plain sends started, {errors.Total} failed so far");
                }
            }

            await phases;
            inFlight.AddRange(senders);

            // The drain: every send answered and every member has heard every answered mention of B's segments, or the time is up.
            var drainEnd = BenchClock.NowMicros + BenchClock.ToMicros(options.Drain);
            await Task.WhenAny(Task.WhenAll(inFlight), Task.Delay(options.Drain, cancellation));
            int[] BMentions(bool succeeded) => [.. Enumerable.Range(0, channelSendCount).Where(i => channelSends[i].Phase == NotifyPhase.B && channelSends[i].Succeeded == succeeded)];
            long Missed()
            {
                lock (gate)
                {
                    return tally.MissedOf(BMentions(succeeded: true));
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

            var answeredBMentions = BMentions(succeeded: true);
            var expectedDeliveries = (long)answeredBMentions.Length * tally.Recipients;
            var delivered = answeredBMentions.Sum(i => tally.HeardOf(i));
            var correctness = new NotificationCorrectness(
                tally.Recipients, expectedDeliveries, delivered, Math.Max(0, expectedDeliveries - delivered), tally.Duplicates, tally.Unexpected, tally.OfPlainMessages,
                BMentions(succeeded: false).Sum(i => tally.HeardOf(i)));

            NotificationRowFigures? rowFigures = null;
            if (rows is not null && rowsInB.Count == options.Rounds)
            {
                var ids = answeredBMentions.Select(i => Guid.Parse(channelSends[i].MessageId!)).ToArray();
                var byMessage = await rows.CountByMessageAsync(ids, cancellation);
                var perMention = ids.Select(id => byMessage.GetValueOrDefault(id)).ToArray();

                // The owner's plain messages (its warm-up's and phase C's) must have written none.
                var plainIds = channelSends.Where(send => !timeline.IsMention(send.Intended - start) && send.Succeeded).Select(send => Guid.Parse(send.MessageId!)).ToArray();
                var plainRows = (await rows.CountByMessageAsync(plainIds, cancellation)).Values.Sum();
                rowFigures = NotificationRowFigures.Of(
                    rowsInB.Sum(segment => segment.End.Rows - segment.Start.Rows), rowsInB.Sum(segment => segment.End.At - segment.Start.At),
                    perMention, tally.Recipients, plainIds.Length, plainRows);
            }

            // A sender still waiting when the drain ran out may yet add to the list: read a copy.
            SendRecord[] plainSends;
            lock (gate)
            {
                plainSends = [.. plain];
            }

            PhaseFigures Plain(string name, NotifyPhase phase, LatencySummary ack) =>
                PhaseFigures.Of(name, plainSends.Where(send => send.Phase == phase).ToArray(), timeline, ack);
            var phaseA = Plain("A", NotifyPhase.A, ackA.Summarize());
            var phaseC = Plain("C", NotifyPhase.C, ackC.Summarize());
            var phaseB = Plain("B", NotifyPhase.B, ackB.Summarize());
            PhaseFigures Channel(string name, NotifyPhase phase, LatencySummary ack) =>
                PhaseFigures.Of(name, channelSends.Where(send => send.Phase == phase).ToArray(), timeline, ack);
            var channelPlain = Channel("channel plain", NotifyPhase.C, channelPlainAck.Summarize());
            var mentionFigures = Channel("mentions", NotifyPhase.B, mentionAck.Summarize());
            CpuReport Units(NotifyPhase phase, long units) => CpuReport.Combine(cpuSegments[phase], units, "messages");
            var figures = new NotificationsFigures(
                phaseA, phaseC, channelPlain, phaseB, mentionFigures, NotificationsFigures.Ratio(phaseB, phaseC), NotificationsFigures.Ratio(phaseB, phaseA),
                delivery.Summarize(), [.. deliveryBySecond.Select(histogram => histogram.Summarize())], [.. plainAckBySecond.Select(histogram => histogram.Summarize())],
                rowFigures, correctness, errors.Snapshot(), errors.Examples(),
                Units(NotifyPhase.A, phaseA.Acked), Units(NotifyPhase.C, phaseC.Acked + channelPlain.Acked), Units(NotifyPhase.B, phaseB.Acked + mentionFigures.Acked));
            context.Log($"plain sends: A {phaseA.AckedPerSecond:0.#}/s (ack p99 {phaseA.Ack.P99} ms), C {phaseC.AckedPerSecond:0.#}/s (ack p99 {phaseC.Ack.P99} ms), B {phaseB.AckedPerSecond:0.#}/s (ack p99 {phaseB.Ack.P99} ms): " +
                        $"B / C {figures.RatioBOverC:0.###}, B / A {figures.RatioBOverA:0.###}; {tally.Unexpected} unexplained notifications ({tally.OfPlainMessages} of the owner's plain messages); " +
                        $"NotificationCreated p50 {figures.Delivery.P50} ms, p99 {figures.Delivery.P99} ms; {delivered:N0} of {expectedDeliveries:N0} delivered" +
                        (rowFigures is null ? "" : $"; {rowFigures.RowsPerSecond:N0} rows/s"));
            return new NotificationsResult(RunInfo.Of(context, Name, started), options, guildId, channelId, figures);

            // Meters each segment's CPU (laps: one reading ends a segment and starts the next) for its
            // phase, and reads the rows at both ends of each of phase B's segments, on the run's clock;
            // a read of the rows stays out of B's CPU (before the lap that starts B, after the one that ends it).
            async Task PhaseWatchAsync()
            {
                (long Rows, long At) rowsAtB = default;
                for (var i = 0; i <= timeline.SegmentCount; i++)
                {
                    await BenchClock.WaitUntilAsync(start + timeline.SegmentStart(i), cancellation);
                    var starting = i < timeline.SegmentCount ? NotifyTimeline.PhaseOfSegment(i) : NotifyPhase.After;
                    if (starting == NotifyPhase.B && rows is not null)
                    {
                        rowsAtB = await ReadRowsAsync();
                    }

                    if (i == 0)
                    {
                        meter.Start();
                        continue;
                    }

                    var ended = NotifyTimeline.PhaseOfSegment(i - 1);
                    cpuSegments[ended].Add(meter.Lap());
                    if (ended == NotifyPhase.B && rows is not null)
                    {
                        rowsInB.Add((rowsAtB, await ReadRowsAsync()));
                    }
                }
            }

            async Task<(long, long)> ReadRowsAsync()
            {
                var before = BenchClock.NowMicros;
                var count = await rows!.CountOfUsersAsync(recipients, cancellation);
                return (count, (before + BenchClock.NowMicros) / 2);
            }

            // One closed-loop sender: its next plain send starts when the previous is answered (or
            // failed), from the first send's time to the end of the last segment; a send's latency
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

                    await SendAsync(client, channel, send, $"bench plain s={i} n={n}", $"p{i}-{n}", ack: phase switch { NotifyPhase.A => ackA, NotifyPhase.C => ackC, NotifyPhase.B => ackB, _ => null }, bySecond: true);
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

                        if (recording && bySecond && NotifyTimeline.IsWindow(send.Phase))
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
                        if (NotifyTimeline.IsWindow(send.Phase))
                        {
                            errors.Add(ex);
                        }
                    }
                }
            }
        }
        finally
        {
            await Parallel.ForEachAsync(members.Cast<IAsyncDisposable>().Append(owner).Concat(plainClients), new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency }, (client, _) => client.DisposeAsync());
        }
    }
}
