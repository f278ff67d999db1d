using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Load.Guilds;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;
using Cryb.Testing;

namespace Cryb.Bench.Scenarios;

/// <summary>
/// The parameters of <c>guilds</c>; the defaults are the proof: a server of 100,000
/// members, 1,000 joins, the whole member list requested five times.
/// </summary>
public sealed record GuildsOptions
{
    /// <summary>Members seeded through the backend-service bulk path, besides the owner.</summary>
    public int Members { get; init; } = 100_000;

    /// <summary>User ids per <c>ImportMembers</c> call: 5,000 ids are about 150 KB, one grain call.</summary>
    public int ImportBatch { get; init; } = 5_000;

    /// <summary>Distinct users joining with the invite, each on its own connection.</summary>
    public int Joins { get; init; } = 1_000;

    /// <summary>Joins started per second (open model): well under the 45 a server took on this machine when busy, so the latency measured is a join's, not a queue's.</summary>
    public double JoinRate { get; init; } = 20;

    /// <summary>
    /// Joins by other users at the same rate before the measured ones, not measured: a fresh
    /// cluster runs the join's code unoptimized at first (docs/performance.md: "warms up for 60 s").
    /// </summary>
    public int WarmupJoins { get; init; } = 250;

    /// <summary>Full-list requests, each by another member (one per user and server per 30 s), one after the other.</summary>
    public int Lists { get; init; } = 5;

    /// <summary>How long one full list may take to arrive.</summary>
    public TimeSpan ListTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// A server with many members: an owner creates it and an invite; a backend service seeds
/// <c>--members</c> members through <c>IGuildGrain.ImportMembers</c> (the Orleans client, the
/// bench profile's importer account); <c>--joins</c> users then join with the invite at
/// <c>--join-rate</c> (open model: join i starts at <c>start + i / rate</c>, its latency runs from
/// then to the answer), each on its own connection, closed after its answer, and the member rows
/// are counted before and after; finally <c>--lists</c> of the joined members each request the whole
/// member list, one after the other, and receive it in chunks: members/s from the call to the last
/// chunk, and every member exactly once.
/// </summary>
public static class GuildsScenario
{
    public const string Name = "guilds";

    /// <summary>The longest wait for PostgreSQL's statistics to hold still around the joins.</summary>
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    public static IReadOnlyList<OptionSpec<GuildsOptions>> Specs { get; } =
    [
        new("members", "members seeded through the backend-service bulk path (IGuildGrain.ImportMembers), besides the owner", o => o.Members, (o, v) => o with { Members = v.Int() }),
        new("import-batch", "user ids per ImportMembers call", o => o.ImportBatch, (o, v) => o with { ImportBatch = v.Int(min: 1) }),
        new("joins", "distinct users joining with the invite, each on its own connection", o => o.Joins, (o, v) => o with { Joins = v.Int() }),
        new("join-rate", "joins started per second, open model", o => o.JoinRate, (o, v) => o with { JoinRate = v.Double(min: 0.01) }),
        new("warmup-joins", "joins by other users at the same rate before the measured ones, all answered before those start; not measured", o => o.WarmupJoins, (o, v) => o with { WarmupJoins = v.Int() }),
        new("lists", "full member-list requests, each by another joined member, one after the other", o => o.Lists, (o, v) => o with { Lists = v.Int() }),
        new("list-timeout", "seconds one full member list may take to arrive", o => o.ListTimeout, (o, v) => o with { ListTimeout = v.Seconds(min: 0.1) }),
    ];

    public static async Task<GuildsResult> RunAsync(BenchContext context, GuildsOptions options, CancellationToken cancellation)
    {
        if (context.System != BenchSystem.Cryb)
        {
            throw new UsageException("guilds measures Cryb's servers; the baselines have none.");
        }

        if (context.Protocol != BenchProtocol.Json)
        {
            throw new UsageException("guilds talks to the gateways through the official SignalR client with the JSON protocol only.");
        }

        // Its clients are the official ones over WebSockets without negotiation (GuildClient),
        // whatever --client says: the result says so.
        context = context with { Client = BenchClientKind.Official, SkipNegotiation = true };
        if (options.Lists > options.Joins)
        {
            throw new UsageException($"--lists ({options.Lists}) cannot exceed --joins ({options.Joins}): each list is requested by a member who joined.");
        }

        var access = BackendAccess.FromEnvironment() ?? throw new UsageException(
            $"guilds seeds members as a backend service, through the Orleans client: run it with ./cryb bench guilds, or set {BackendAccess.RedisVariable}, " +
            $"{BackendAccess.ServiceNameVariable} and {BackendAccess.ServiceSecretVariable} (an account granted IGuildGrain.ImportMembers; " +
            $"{BackendAccess.ClusterIdVariable} if not '{BackendAccess.DefaultClusterId}', {BackendAccess.PostgresVariable} to count rows).");
        FileLimits.RequireRoomFor(options.WarmupJoins + options.Joins + 1, "--joins and --warmup-joins");
        var started = DateTimeOffset.UtcNow;
        var owner = context.UserId("owner", 0);
        // The warm-up joiners first, then the measured ones, on one schedule.
        var joiners = Enumerable.Range(0, options.WarmupJoins).Select(i => context.UserId("w", i))
            .Concat(Enumerable.Range(0, options.Joins).Select(i => context.UserId("j", i))).ToArray();
        var imported = Enumerable.Range(0, options.Members).Select(i => context.UserId("m", i)).ToArray();
        var tokens = await DevTokens.FetchAsync(context.Gateways, [owner, .. joiners], context.SetupConcurrency, cancellation);

        await using var ownerClient = new GuildClient(context.Gateway(0), owner, tokens[0]);
        await ownerClient.ConnectAsync(context.ConnectTimeout, cancellation);
        var guildId = await ownerClient.CreateGuildAsync($"bench {context.RunId}", cancellation);
        var code = await ownerClient.CreateInviteAsync(guildId, cancellation);
        context.Log($"server {guildId} created by {owner}, invite {code}; seeding {options.Members:N0} members through {access}");

        var seed = await SeedAsync(context, options, access, guildId, imported, cancellation);
        await using var rows = access.Postgres is { } postgres ? new GuildRows(postgres) : null;

        var clients = joiners.Select((user, i) => new GuildClient(context.Gateway(i), user, tokens[i + 1])).ToArray();
        try
        {
            await ConnectAllAsync(context, clients, cancellation);
            // Counted once the seed's and the connects' writes have settled: the window holds the joins only.
            var writesBefore = rows is null ? null : await rows.SettledWritesAsync(null, 0, SettleTimeout, cancellation);
            var rowsBefore = rows is null ? 0 : await rows.CountMembersAsync(guildId, cancellation);
            context.Log($"{clients.Length} joiners connected; joining at {options.JoinRate:0.#}/s, the first {options.WarmupJoins} to warm up");
            var joins = await JoinAsync(context, options, clients, code, cancellation);

            RowCheck? rowCheck = null;
            if (rows is not null)
            {
                var after = await rows.CountMembersAsync(guildId, cancellation);
                var writes = (await rows.SettledWritesAsync(writesBefore, after - rowsBefore, SettleTimeout, cancellation)).Since(writesBefore!);
                context.Log($"{after - rowsBefore} member rows added by {joins.Joined.Count} joins");
                rowCheck = new RowCheck(rowsBefore, after, [.. writes.Tables.Select(pair => new TableWriteCount(pair.Key, pair.Value.Inserted, pair.Value.Updated, pair.Value.Deleted))]);
            }

            // Every member of the server: the owner, those imported, those whose join was answered.
            HashSet<string> expected = [owner, .. imported, .. joins.Joined];
            var lists = await ListAsync(context, options, clients[options.WarmupJoins..], guildId, expected, cancellation);
            return new GuildsResult(RunInfo.Of(context, Name, started), options, guildId, expected.Count, seed, joins.Figures, rowCheck, lists.Runs, lists.Cpu);
        }
        finally
        {
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency }, (client, _) => client.DisposeAsync());
        }
    }

    private static async Task<SeedFigures> SeedAsync(BenchContext context, GuildsOptions options, BackendAccess access, string guildId, string[] imported, CancellationToken cancellation)
    {
        await using var importer = await MemberImporter.ConnectAsync(access, cancellation);
        var meter = CpuMeter.StartNew(context.Processes);
        var from = BenchClock.NowMicros;
        var lastLog = from;
        var added = await importer.ImportAsync(guildId, imported, options.ImportBatch, count =>
        {
            if (BenchClock.NowMicros - lastLog > 5_000_000)
            {
                lastLog = BenchClock.NowMicros;
                context.Log($"{count:N0} of {imported.Length:N0} members imported");
            }
        }, cancellation);
        var micros = BenchClock.NowMicros - from;
        var cpu = meter.Stop(added, "members");
        var figures = new SeedFigures(imported.Length, added, options.ImportBatch, Math.Round(micros / 1e6, 2), MemberListTally.Rate(added, micros), cpu);
        context.Log($"{added:N0} members imported in {figures.Seconds:0.0} s ({figures.MembersPerSecond:N0}/s)");
        return figures;
    }

    private static Task ConnectAllAsync(BenchContext context, GuildClient[] clients, CancellationToken cancellation) =>
        Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = context.SetupConcurrency, CancellationToken = cancellation },
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

    /// <summary>
    /// The joins, open model: the <c>--warmup-joins</c> first on a schedule of their own, unmeasured,
    /// then, once all of those are answered, the measured ones.
    /// Every joiner but the first <c>--lists</c> measured ones (who request the member list later)
    /// closes its connection once answered: a member online receives every later join's
    /// <c>GuildMemberAdded</c>, and a thousand of them online would measure that fan-out, not the join.
    /// </summary>
    private static async Task<(JoinFigures Figures, IReadOnlyList<string> Joined)> JoinAsync(
        BenchContext context, GuildsOptions options, GuildClient[] clients, string code, CancellationToken cancellation)
    {
        var warmup = options.WarmupJoins;
        var latency = new LatencyHistogram();
        var bySecond = Enumerable.Range(0, Math.Max(1, (int)Math.Ceiling(options.Joins / options.JoinRate))).Select(_ => new LatencyHistogram()).ToArray();
        var errors = new ErrorCounter();
        var warmupErrors = new ErrorCounter();
        var joined = new System.Collections.Concurrent.ConcurrentBag<string>();
        var measuredJoined = 0;
        var intervalMicros = 1_000_000.0 / options.JoinRate;
        // The warm-up on its own schedule, answered to the last before the measured schedule
        // starts: its slow first joins queue up, and that queue must not spill into the window.
        long windowStart = 0, lastAnswer = 0;
        await RunScheduleAsync(0, warmup, BenchClock.NowMicros + 100_000);
        windowStart = BenchClock.NowMicros + 100_000;
        lastAnswer = windowStart;
        var meter = new CpuMeter(context.Processes);
        await BenchClock.WaitUntilAsync(windowStart, cancellation);
        meter.Start();
        await RunScheduleAsync(warmup, clients.Length, windowStart);
        var cpu = meter.Stop(measuredJoined, "joins");
        var window = (lastAnswer - windowStart) / 1e6;
        var figures = new JoinFigures(
            options.JoinRate, window > 0 ? Math.Round(measuredJoined / window, 1) : 0, options.Joins, measuredJoined,
            errors.Snapshot(), errors.Examples(), latency.Summarize(), cpu, [.. bySecond.Select(histogram => histogram.Summarize())])
        {
            WarmupAttempted = warmup,
            WarmupJoined = joined.Count - measuredJoined,
            WarmupErrors = warmupErrors.Snapshot(),
        };
        context.Log($"{measuredJoined} of {options.Joins} measured joins answered (and {figures.WarmupJoined} of {warmup} warm-up); p50 {figures.Latency.P50} ms, p99 {figures.Latency.P99} ms");
        return (figures, [.. joined]);

        async Task RunScheduleAsync(int from, int to, long start)
        {
            var attempts = new List<Task>(to - from);
            for (var i = from; i < to; i++)
            {
                var intended = start + (long)((i - from) * intervalMicros);
                await BenchClock.WaitUntilAsync(intended, cancellation);
                attempts.Add(JoinOneAsync(i, intended));
            }

            await Task.WhenAll(attempts);
        }

        async Task JoinOneAsync(int i, long intended)
        {
            var measured = i >= warmup;
            try
            {
                await clients[i].JoinGuildAsync(code, cancellation);
                var answered = BenchClock.NowMicros;
                joined.Add(clients[i].UserId);
                if (measured)
                {
                    latency.Record(answered - intended);
                    bySecond[Math.Min(bySecond.Length - 1, (int)((intended - windowStart) / 1_000_000))].Record(answered - intended);
                    AtomicMax.Update(ref lastAnswer, answered);
                    Interlocked.Increment(ref measuredJoined);
                }
            }
            catch (Exception ex) when (!cancellation.IsCancellationRequested)
            {
                (measured ? errors : warmupErrors).Add(ex);
            }

            if (!measured || i - warmup >= options.Lists)
            {
                await clients[i].DisposeAsync();
            }
        }
    }

    /// <summary>The full list, requested by measured joiners 0, 1, ... one at a time (each may list once per 30 s).</summary>
    private static async Task<(IReadOnlyList<ListRun> Runs, CpuReport? Cpu)> ListAsync(
        BenchContext context, GuildsOptions options, IReadOnlyList<GuildClient> clients, string guildId, IReadOnlySet<string> expected, CancellationToken cancellation)
    {
        var runs = new List<ListRun>();
        if (options.Lists == 0)
        {
            return (runs, null);
        }

        var meter = CpuMeter.StartNew(context.Processes);
        long received = 0;
        for (var i = 0; i < options.Lists; i++)
        {
            var client = clients[i];
            try
            {
                var (tally, micros) = await client.RequestFullListAsync(guildId, $"list-{i}", options.ListTimeout, cancellation);
                var (missing, unexpected) = tally.CompareWith(expected);
                received += tally.Received;
                var run = new ListRun(
                    client.UserId, tally.Received, tally.Members.Count, tally.Chunks, tally.ChunkCount, tally.LargestChunk, Math.Round(micros / 1000.0, 1),
                    MemberListTally.Rate(tally.Received, micros), tally.Duplicates, missing, unexpected, tally.OutOfOrder, null);
                runs.Add(run);
                context.Log($"list {i + 1}: {run.Members:N0} members in {run.Chunks} chunks, {run.Milliseconds:N0} ms, {run.MembersPerSecond:N0} members/s; missing {missing}, duplicates {run.Duplicates}, unexpected {unexpected}");
            }
            catch (Exception ex) when (!cancellation.IsCancellationRequested)
            {
                runs.Add(new ListRun(client.UserId, 0, 0, 0, 0, 0, 0, 0, 0, expected.Count, 0, 0, $"{ErrorCounter.CodeOf(ex)}: {ex.Message}"));
                context.Log($"list {i + 1} failed: {ex.Message}");
            }
        }

        return (runs, meter.Stop(received, "members"));
    }
}
