using Cryb.Bench.Measurement;

namespace Cryb.Bench.Reporting;

/// <summary>The result of <c>guilds</c>: the seed, the joins and the rows they wrote, the full member lists.</summary>
/// <param name="MemberCount">The server's members when the lists were requested: the owner, those imported, those who joined.</param>
/// <param name="Rows">The member rows before and after the joins and the writes by table; null when the tool had no database to read.</param>
/// <param name="ListCpu">CPU over the list requests, per 1,000 members received.</param>
public sealed class GuildsResult(
    RunInfo run, object options, string guildId, int memberCount, SeedFigures seed, JoinFigures joins, RowCheck? rows,
    IReadOnlyList<ListRun> lists, CpuReport? listCpu) : ScenarioResult(run)
{
    /// <summary>The issue's target for the full member list on this machine.</summary>
    public const double TargetMembersPerSecond = 50_000;

    public override object Options { get; } = options;
    public string GuildId { get; } = guildId;
    public int MemberCount { get; } = memberCount;
    public SeedFigures Seed { get; } = seed;
    public JoinFigures Joins { get; } = joins;
    public RowCheck? Rows { get; } = rows;
    public IReadOnlyList<ListRun> Lists { get; } = lists;
    public CpuReport? ListCpu { get; } = listCpu;

    /// <summary>The fastest complete list, in members/s (0 when none completed).</summary>
    public double BestMembersPerSecond => Complete.Select(list => list.MembersPerSecond).DefaultIfEmpty(0).Max();

    /// <summary>The median over the complete lists, in members/s.</summary>
    public double MedianMembersPerSecond => Median([.. Complete.Select(list => list.MembersPerSecond)]);

    private IEnumerable<ListRun> Complete => Lists.Where(list => list.Error is null && list.Exact);

    public override IReadOnlyList<string> Failures =>
    [
        .. Seed.Added < Seed.Requested ? [$"the import added {Seed.Added} of {Seed.Requested} members"] : Array.Empty<string>(),
        .. Joins.Joined < Joins.Attempted ? [$"{Joins.Attempted - Joins.Joined} of {Joins.Attempted} joins failed"] : Array.Empty<string>(),
        .. Joins.WarmupJoined < Joins.WarmupAttempted ? [$"{Joins.WarmupAttempted - Joins.WarmupJoined} of {Joins.WarmupAttempted} warm-up joins failed"] : Array.Empty<string>(),
        .. Rows is { } rows && rows.Added != Joins.AllJoined ? [$"{Joins.AllJoined} joins added {rows.Added} member rows"] : Array.Empty<string>(),
        .. Lists.Where(list => list.Error is not null || !list.Exact).Select(list => list.Error is { } error
            ? $"the list requested by {list.UserId} failed: {error}"
            : $"the list requested by {list.UserId} was not every member once (missing {list.Missing}, duplicates {list.Duplicates}, unexpected {list.Unexpected}, chunks out of order {list.OutOfOrder})"),
    ];

    public override void WriteSummary(MarkdownWriter markdown)
    {
        markdown.Line($"Server `{GuildId}`: the owner, {MarkdownWriter.Number(Seed.Added)} members imported, {MarkdownWriter.Number(Joins.AllJoined)} joined: {MarkdownWriter.Number(MemberCount)} members.").Blank();
        markdown.Heading("Seeding: IGuildGrain.ImportMembers through the Orleans client", 3).Table(
            ["members imported", "per call", "calls", "seconds", "members/s"],
            [[Seed.Added, Seed.Batch, (Seed.Requested + Seed.Batch - 1) / Math.Max(1, Seed.Batch), Seed.Seconds, Seed.MembersPerSecond]]);

        var latency = Joins.Latency;
        markdown.Heading("Joins: JoinGuild(code) into the seeded server (ms from intended start to the answer)", 3)
            .Line($"Open model at {MarkdownWriter.Number(Joins.OfferedPerSecond)} joins/s, each a distinct user on its own connection, closed once answered; " +
                  $"before them, {MarkdownWriter.Number(Joins.WarmupAttempted)} joins of other users at the same rate to warm up, not measured ({MarkdownWriter.Number(Joins.WarmupJoined)} answered, all before the first measured one started).").Blank()
            .Table(
                ["offered/s", "achieved/s", "attempted", "joined", "failed", "p50", "p95", "p99", "p99.9", "max"],
                [[Joins.OfferedPerSecond, Joins.AchievedPerSecond, Joins.Attempted, Joins.Joined, Joins.Attempted - Joins.Joined,
                  latency.P50, latency.P95, latency.P99, latency.P999, latency.Max]]);
        SummarySections.Errors(markdown, Joins.Errors, "Failed joins by code", Joins.ErrorExamples);
        SummarySections.Errors(markdown, Joins.WarmupErrors, "Failed warm-up joins by code");

        markdown.Heading("Rows the joins wrote", 3);
        if (Rows is { } rows)
        {
            markdown.Line($"`guild_members` rows of the server: {MarkdownWriter.Number(rows.Before)} before the joins, {MarkdownWriter.Number(rows.After)} after: " +
                          $"{MarkdownWriter.Number(rows.Added)} for {MarkdownWriter.Number(Joins.AllJoined)} joins (warm-up included). " +
                          "Every row the database inserted, updated or deleted meanwhile, by table (PostgreSQL's statistics; the whole cluster's writes in that time):").Blank();
            markdown.Table(
                ["table", "inserted", "updated", "deleted", "per join"],
                rows.Writes.Select(table => (IReadOnlyList<object?>)
                [
                    table.Table, table.Inserted, table.Updated, table.Deleted,
                    Joins.AllJoined == 0 ? "-" : MarkdownWriter.Number((table.Inserted + table.Updated + table.Deleted) / (double)Joins.AllJoined, 2),
                ]));
        }
        else
        {
            markdown.Line("Not counted: the tool was given no database (CRYB_BENCH_POSTGRES).").Blank();
        }

        markdown.Heading("The whole member list: RequestGuildMembers(guildId, null, null, 0, false, nonce)", 3)
            .Line($"Each request by another member, one after the other; members/s from the call to the last chunk's arrival. " +
                  $"Target at least {MarkdownWriter.Number(TargetMembersPerSecond)} members/s: **{(BestMembersPerSecond >= TargetMembersPerSecond ? "met" : "missed")}** " +
                  $"(best {MarkdownWriter.Number(BestMembersPerSecond)}, median {MarkdownWriter.Number(MedianMembersPerSecond)}).").Blank()
            .Table(
                ["request", "members", "chunks", "largest chunk", "ms", "members/s", "every member once"],
                Lists.Select((list, i) => (IReadOnlyList<object?>)
                [
                    i + 1, list.Members, list.Chunks, list.LargestChunk, list.Milliseconds, list.MembersPerSecond,
                    list.Error is { } error ? $"failed: {error}" : list.Exact ? "yes" : $"no: missing {list.Missing}, duplicates {list.Duplicates}, unexpected {list.Unexpected}",
                ]));

        var cpu = new List<(string, CpuReport)> { ("joins", Joins.Cpu) };
        SummarySections.Cpu(markdown, cpu);
        if (ListCpu is { } listCpu)
        {
            SummarySections.Cpu(markdown, [("member lists", listCpu)]);
        }

        SummarySections.Cpu(markdown, [("seeding", Seed.Cpu)]);
    }

    /// <summary>Join latency per second of arrivals.</summary>
    public override PlotSpec Plot()
    {
        PlotSeries Series(string name, Func<LatencySummary, double> value) =>
            new(name, [.. Joins.BySecond.Select((latency, second) => ((double)second + 1, value(latency)))]);
        return new PlotSpec(
            $"guilds: JoinGuild into a server of {MarkdownWriter.Number(Seed.Added + 1)} members at {MarkdownWriter.Number(Joins.OfferedPerSecond)} joins/s",
            "second of arrivals",
            "intended start to answer (ms)",
            [Series("p50", latency => latency.P50), Series("p99", latency => latency.P99)]);
    }

    /// <summary>The middle value (the mean of the two middle ones for an even count); 0 for none.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : Math.Round((sorted[middle - 1] + sorted[middle]) / 2, 1);
    }
}

/// <summary>The members seeded through <c>IGuildGrain.ImportMembers</c>.</summary>
public sealed record SeedFigures(int Requested, int Added, int Batch, double Seconds, double MembersPerSecond, CpuReport Cpu);

/// <summary>The joins with the invite.</summary>
/// <param name="AchievedPerSecond">Answered joins per second from the first intended start to the last answer.</param>
/// <param name="Latency">From each join's intended start to its answer.</param>
/// <param name="BySecond">The latency of the joins meant to start in each second.</param>
public sealed record JoinFigures(
    double OfferedPerSecond, double AchievedPerSecond, int Attempted, int Joined,
    IReadOnlyDictionary<string, long> Errors, IReadOnlyDictionary<string, IReadOnlyList<string>> ErrorExamples,
    LatencySummary Latency, CpuReport Cpu, IReadOnlyList<LatencySummary> BySecond)
{
    /// <summary>The unmeasured joins before, at the same rate, all answered before the measured ones started.</summary>
    public int WarmupAttempted { get; init; }

    public int WarmupJoined { get; init; }

    public IReadOnlyDictionary<string, long> WarmupErrors { get; init; } = new Dictionary<string, long>();

    /// <summary>Every join answered, warm-up included: the member rows they should have added.</summary>
    public int AllJoined => Joined + WarmupJoined;
}

/// <summary>The server's member rows around the joins and what every table had written meanwhile.</summary>
public sealed record RowCheck(long Before, long After, IReadOnlyList<TableWriteCount> Writes)
{
    public long Added => After - Before;
}

/// <summary>Rows one table had inserted, updated and deleted.</summary>
public sealed record TableWriteCount(string Table, long Inserted, long Updated, long Deleted);

/// <summary>One full member list as a member received it.</summary>
/// <param name="Members">Members received, repeats included.</param>
/// <param name="Distinct">Distinct member ids received.</param>
/// <param name="ChunkCount">The last chunk's <c>chunkCount</c>.</param>
/// <param name="Milliseconds">From the call to the last chunk's arrival.</param>
/// <param name="Missing">Members of the server the list did not hold.</param>
/// <param name="Unexpected">Ids the list held that are not members.</param>
/// <param name="Error">Why the request failed; null when it completed.</param>
public sealed record ListRun(
    string UserId, int Members, int Distinct, int Chunks, int ChunkCount, int LargestChunk, double Milliseconds, double MembersPerSecond,
    int Duplicates, int Missing, int Unexpected, int OutOfOrder, string? Error)
{
    /// <summary>Every member exactly once, in whole chunks in order, the last one saying it was the last.</summary>
    public bool Exact => Error is null && Duplicates == 0 && Missing == 0 && Unexpected == 0 && OutOfOrder == 0 && Chunks == ChunkCount;
}
