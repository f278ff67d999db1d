using Cryb.Bench.Load.Guilds;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;

namespace Cryb.Tests.Bench;

/// <summary>
/// The pure parts of <c>guilds</c>: how a member list's chunks are tallied against the server's
/// members, the members/s and median arithmetic, the per-table write deltas, and how the load tool
/// is handed the cluster's backend access.
/// </summary>
public sealed class GuildsFiguresTests
{
    private static readonly HashSet<string> Server = ["owner", "a", "b", "c", "d"];

    [Fact]
    public void A_list_in_whole_chunks_in_order_holding_every_member_once_is_exact()
    {
        var tally = new MemberListTally();

        Assert.False(tally.Add(0, 3, ["owner", "a"]));
        Assert.False(tally.Add(1, 3, ["b", "c"]));
        Assert.True(tally.Add(2, 3, ["d"]));

        Assert.True(tally.Complete);
        Assert.Equal((5, 3, 2, 0, 0), (tally.Received, tally.Chunks, tally.LargestChunk, tally.Duplicates, tally.OutOfOrder));
        Assert.Equal((0, 0), tally.CompareWith(Server));
    }

    [Fact]
    public void A_member_twice_a_member_missing_a_stranger_and_a_chunk_out_of_order_are_each_counted()
    {
        var tally = new MemberListTally();

        tally.Add(0, 3, ["owner", "a"]);
        tally.Add(2, 3, ["a", "b", "stranger"]);

        Assert.True(tally.Complete);
        Assert.Equal(1, tally.Duplicates);
        Assert.Equal(1, tally.OutOfOrder);
        Assert.Equal(5, tally.Received);
        Assert.Equal((2, 1), tally.CompareWith(Server));
    }

    [Fact]
    public void A_list_is_complete_only_at_the_chunk_its_count_names_last()
    {
        var tally = new MemberListTally();

        // Members joined during the listing: the count grows, and only the chunk that says it is last ends it.
        Assert.False(tally.Add(0, 1 + 1, ["owner"]));
        Assert.False(tally.Add(1, 3, ["a"]));
        Assert.True(tally.Add(2, 3, ["b"]));
    }

    [Theory]
    [InlineData(100_000, 2_000_000, 50_000)]
    [InlineData(100_001, 1_500_000, 66_667.3)]
    [InlineData(5, 0, 0)]
    public void Members_per_second_run_over_the_microseconds_given(long members, long micros, double rate) =>
        Assert.Equal(rate, MemberListTally.Rate(members, micros));

    [Theory]
    [InlineData(new double[0], 0)]
    [InlineData(new[] { 40_000.0 }, 40_000)]
    [InlineData(new[] { 90_000.0, 30_000, 60_000 }, 60_000)]
    [InlineData(new[] { 90_000.0, 30_000, 60_000, 40_000 }, 50_000)]
    public void The_median_is_the_middle_list_or_the_mean_of_the_two_middle_ones(double[] rates, double median) =>
        Assert.Equal(median, GuildsResult.Median(rates));

    [Fact]
    public void Best_and_median_count_only_lists_that_held_every_member_once_and_a_bad_list_fails_the_run()
    {
        var result = Result(
            List(60_000),
            List(80_000),
            List(90_000) with { Duplicates = 1 },
            List(0) with { Error = "rate_limited: once per 30 s" },
            List(70_000));

        Assert.Equal(80_000, result.BestMembersPerSecond);
        Assert.Equal(70_000, result.MedianMembersPerSecond);
        Assert.Equal(2, result.Failures.Count);
        Assert.Contains(result.Failures, failure => failure.Contains("duplicates 1", StringComparison.Ordinal));
        Assert.Contains(result.Failures, failure => failure.Contains("rate_limited", StringComparison.Ordinal));
    }

    [Fact]
    public void Joins_that_added_other_than_one_row_each_fail_the_run()
    {
        Assert.Empty(Result(rows: new RowCheck(100_001, 100_011, [])).Failures);

        var failure = Assert.Single(Result(rows: new RowCheck(100_001, 100_012, [])).Failures);
        Assert.Equal("10 joins added 11 member rows", failure);
    }

    [Fact]
    public void Table_writes_since_a_snapshot_keep_only_the_tables_that_changed()
    {
        var before = new TableWrites(new Dictionary<string, RowWrites>
        {
            ["guild_members"] = new(100_001, 0, 0),
            ["orleansstorage"] = new(50, 400, 2),
            ["messages"] = new(9, 0, 0),
        });
        var after = new TableWrites(new Dictionary<string, RowWrites>
        {
            ["guild_members"] = new(101_001, 0, 0),
            ["orleansstorage"] = new(1_050, 1_400, 2),
            ["messages"] = new(9, 0, 0),
            ["guild_invites"] = new(1, 0, 0),
        });

        var since = after.Since(before);

        Assert.Equal(new[] { "guild_invites", "guild_members", "orleansstorage" }, since.Tables.Keys);
        Assert.Equal(new RowWrites(1_000, 0, 0), since.Of("guild_members"));
        Assert.Equal(new RowWrites(1_000, 1_000, 0), since.Of("orleansstorage"));
        Assert.True(since.Equals(after.Since(before)));
        Assert.False(since.Equals(after.Since(after)));
    }

    [Fact]
    public void The_backend_access_reaches_the_tool_through_its_environment_without_its_secret_in_its_text()
    {
        var access = new BackendAccess("127.0.0.1:6380", "cryb-bench", "bench-importer", "a-secret-that-is-at-least-32-characters-long", "Host=127.0.0.1;Port=5433");

        var environment = access.ToEnvironment();

        Assert.Equal(access, BackendAccess.FromEnvironment(environment));
        Assert.DoesNotContain(access.ServiceSecret, access.ToString(), StringComparison.Ordinal);
        environment.Remove(BackendAccess.ServiceSecretVariable);
        Assert.Null(BackendAccess.FromEnvironment(environment));
    }

    [Fact]
    public void Without_a_cluster_id_or_a_database_the_access_uses_the_hosts_default_id_and_counts_no_rows()
    {
        var access = BackendAccess.FromEnvironment(new Dictionary<string, string>
        {
            [BackendAccess.RedisVariable] = "127.0.0.1:6380",
            [BackendAccess.ServiceNameVariable] = "bench-importer",
            [BackendAccess.ServiceSecretVariable] = "a-secret-that-is-at-least-32-characters-long",
        });

        Assert.Equal(BackendAccess.DefaultClusterId, access!.ClusterId);
        Assert.Null(access.Postgres);
    }

    private static ListRun List(double membersPerSecond) =>
        new("u", 5, 5, 1, 1, 5, 100, membersPerSecond, 0, 0, 0, 0, null);

    private static GuildsResult Result(params ListRun[] lists) => Result(null, lists);

    private static GuildsResult Result(RowCheck? rows, params ListRun[] lists)
    {
        var cpu = CpuReport.Create(1, [], 0, "joins");
        return new GuildsResult(
            new RunInfo("guilds", "run", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], default, default, "json", false, [], 2),
            new(), "g", 100_011, new SeedFigures(100_000, 100_000, 5_000, 2, 50_000, cpu),
            new JoinFigures(50, 50, 10, 10, new Dictionary<string, long>(), new Dictionary<string, IReadOnlyList<string>>(), LatencySummary.Empty, cpu, []),
            rows, lists, null);
    }
}
