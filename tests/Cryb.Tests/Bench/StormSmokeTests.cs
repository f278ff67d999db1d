using Cryb.Bench.Reporting;
using Cryb.Bench.Scenarios;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Bench;

/// <summary>
/// The load tool's storm scenario, small, on a cluster of its own (it kills the first gateway):
/// every client of the killed gateway comes back through the other and resumes its channel, holding
/// every acknowledged message once and in order, and no other process dies. The figures are not asserted.
/// </summary>
public sealed class StormSmokeTests(TestServers servers)
{
    [Fact]
    public async Task Every_client_of_a_killed_gateway_resumes_on_the_other_and_loses_nothing()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers);
        var context = ClusterBenchContext.Of(cluster);
        var options = new StormOptions
        {
            Connections = 30,
            Channels = 3,
            Senders = 3,
            Rate = 2,
            Warmup = TimeSpan.FromSeconds(2),
            KillAfter = TimeSpan.FromSeconds(2),
            Duration = TimeSpan.FromSeconds(8),
            Drain = TimeSpan.FromSeconds(30),
            BackoffCap = TimeSpan.FromSeconds(2),
        };

        var result = await StormScenario.RunAsync(context, options, TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine(ResultWriter.Summary(result));
        Assert.True(result.Passed, string.Join("; ", result.Failures));
        var storm = result.Storm;
        Assert.Equal(("gateway-1", 30, 30), (storm.Killed, storm.Connections, storm.Recovered));
        Assert.Equal(30, storm.KillToResumed.Count);
        Assert.Empty(storm.Died);
        Assert.False(cluster.Gateways[0].IsRunning, "the first gateway was not killed");
        var correctness = result.Load.Correctness;
        Assert.True(correctness.Acknowledged > 0, "no send was acknowledged");
        Assert.Equal((0, 0, 0), (correctness.LostDeliveries, correctness.Duplicates, correctness.OutOfOrder));
        Assert.Equal(correctness.ExpectedDeliveries, correctness.DeliveredAcknowledged);
    }
}
