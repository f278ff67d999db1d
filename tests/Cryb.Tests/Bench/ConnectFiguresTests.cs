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

    private static ConnectResult Result(int connected, int dropped)
    {
        var latency = new LatencySummary(connected, 5, 8, 12, 15, 20, 6);
        return new ConnectResult(
            new RunInfo("connect", "run", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [], default, default, "json", false, [], 2),
            new object(), 10_000, connected, new Dictionary<string, long>(), latency, 1_000, 998, connected - dropped, dropped,
            CpuReport.Create(10, [], connected, "connections"), [latency], readyBytes: null);
    }
}
