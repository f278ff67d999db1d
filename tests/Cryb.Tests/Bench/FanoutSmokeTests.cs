using Cryb.Bench;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;
using Cryb.Bench.Scenarios;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Bench;

/// <summary>
/// The load tool's fanout scenario, small, on two silos and two gateways: a smoke of correctness
/// only. Speed is never asserted here; `./cryb bench` measures it.
/// </summary>
public sealed class FanoutSmokeTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    [Fact]
    public async Task Every_acknowledged_message_reaches_every_member_once_and_in_order()
    {
        var cluster = fixture.Cluster;
        var output = TestContext.Current.TestOutputHelper;
        var context = new BenchContext
        {
            Gateways = cluster.Gateways.Select(gateway => gateway.Url).ToArray(),
            Processes = cluster.Silos.Concat(cluster.Gateways).Select(process => new MonitoredProcess(process.Name, process.ProcessId)).ToArray(),
            SetupConcurrency = 16,
            Log = line => output?.WriteLine(line),
        };
        var options = new FanoutOptions
        {
            Clients = 40,
            Channels = 4,
            Senders = 8,
            Rate = 5,
            Warmup = TimeSpan.FromSeconds(2),
            Duration = TimeSpan.FromSeconds(6),
            // Generous: the drain ends as soon as everything arrived, and a slow CI machine must not turn late into lost.
            Drain = TimeSpan.FromSeconds(30),
        };

        var result = await FanoutScenario.RunAsync(context, options, TestContext.Current.CancellationToken);

        output?.WriteLine(ResultWriter.Summary(result));
        var step = Assert.Single(result.Steps);
        var correctness = result.Correctness;
        Assert.True(correctness.Acknowledged > 0, "no send was acknowledged");
        Assert.Equal(0, correctness.LostDeliveries);
        Assert.Equal(0, correctness.Duplicates);
        Assert.Equal(0, correctness.OutOfOrder);
        Assert.Empty(step.Errors);
        Assert.Equal(0, correctness.DisconnectedReceivers);
        // Ten members per channel, the sender included: each acknowledged message arrived ten times.
        Assert.Equal(10, result.Shape.MembersPerChannel);
        Assert.Equal(correctness.Acknowledged * 10, correctness.ExpectedDeliveries);
        Assert.Equal(correctness.ExpectedDeliveries, correctness.DeliveredAcknowledged);
        Assert.True(result.Passed, string.Join("; ", result.Failures));
        Assert.Contains("\"lostDeliveries\": 0", ResultWriter.ToJson(result));
    }
}
