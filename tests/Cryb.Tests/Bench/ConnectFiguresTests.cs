using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;

namespace Cryb.Tests.Bench;

/// <summary><c>connect</c>'s verdict: the target asks for no failures, so a connection that never got <c>Ready</c> fails the run.</summary>
public sealed class ConnectFiguresTests
{
    [Fact]
    public void A_run_passes_only_when_every_connection_reached_Ready_and_stayed_open()
    {
        Assert.Empty(Result(connected: 10_000, dropped: 0).Failures);
        Assert.Equal(["9,374 of 10,000 connections never reached Ready"], Result(connected: 626, dropped: 0).Failures);
        Assert.Equal(["3 connections closed after Ready while held"], Result(connected: 10_000, dropped: 3).Failures);
        Assert.Equal(2, Result(connected: 421, dropped: 3).Failures.Count);
    }

    [Fact]
    public void The_Ready_frame_size_counts_only_the_connections_that_measured_theirs()
    {
        Assert.Equal(new ReadySize(2_000, 3_000), ReadySize.Of([1_000, 0, 2_000, 3_000, 0]));
        Assert.Null(ReadySize.Of([0, 0]));
    }

    [Fact]
    public void The_summary_says_how_many_methods_each_process_compiled_during_the_arrivals()
    {
        var cold = Result(connected: 10_000, dropped: 0);
        var warm = Result(connected: 10_000, dropped: 0, jitMethods: new Dictionary<string, long> { ["silo-1"] = 584, ["gateway-2"] = 481, ["gateway-1"] = 384 });

        Assert.DoesNotContain("Methods compiled by the JIT", Summary(cold));
        var summary = Summary(warm);
        Assert.Contains("Methods compiled by the JIT during the arrivals", summary);
        var rows = summary.Split('\n').Where(line => line.StartsWith("| gateway-", StringComparison.Ordinal) || line.StartsWith("| silo-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["| gateway-1 | 384 |", "| gateway-2 | 481 |", "| silo-1 | 584 |"], rows);
    }

    private static string Summary(ConnectResult result)
    {
        var markdown = new MarkdownWriter();
        result.WriteSummary(markdown);
        return markdown.ToString();
    }

    private static ConnectResult Result(int connected, int dropped, IReadOnlyDictionary<string, long>? jitMethods = null)
    {
        var latency = new LatencySummary(connected, 5, 8, 12, 15, 20, 6);
        return new ConnectResult(
            new RunInfo("connect", "run", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], default, default, "json", false, [], 2),
            new object(), 10_000, connected, new Dictionary<string, long>(), latency, 1_000, 998, connected - dropped, dropped,
            CpuReport.Create(10, [], connected, "connections"), [latency], readyBytes: null)
        {
            JitMethodsDuringArrivals = jitMethods ?? new Dictionary<string, long>(),
        };
    }
}
