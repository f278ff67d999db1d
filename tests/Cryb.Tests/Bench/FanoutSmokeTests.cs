using Cryb.Bench;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;
using Cryb.Bench.Scenarios;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Bench;

/// <summary>
/// The load tool's fanout scenario, soak (the fanout shape with members leaving and coming back),
/// connect and idle, small, on two silos and two gateways: smokes of correctness only, sharing one
/// cluster (storm, which kills a gateway, has its own: <see cref="StormSmokeTests"/>). Speed and
/// memory growth are never asserted here; `./cryb bench` measures them.
/// </summary>
public sealed class FanoutSmokeTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    [Fact]
    public async Task Every_acknowledged_message_reaches_every_member_once_and_in_order()
    {
        var context = Context();
        var output = TestContext.Current.TestOutputHelper;
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
        AssertNothingLostDuplicatedOrReordered(step);
        var correctness = result.Correctness;
        // Ten members per channel, the sender included: each acknowledged message arrived ten times.
        Assert.Equal(10, result.Shape.MembersPerChannel);
        Assert.Equal(correctness.Acknowledged * 10, correctness.ExpectedDeliveries);
        Assert.Equal(correctness.ExpectedDeliveries, correctness.DeliveredAcknowledged);
        Assert.True(result.Passed, string.Join("; ", result.Failures));
        Assert.Contains("\"lostDeliveries\": 0", ResultWriter.ToJson(result));
    }

    [Fact]
    public async Task A_short_soak_with_members_leaving_and_catching_up_loses_nothing_and_samples_every_process()
    {
        var context = Context();
        var output = TestContext.Current.TestOutputHelper;
        var options = new SoakOptions
        {
            Clients = 40,
            Channels = 4,
            Senders = 8,
            Rate = 5,
            Warmup = TimeSpan.FromSeconds(2),
            Duration = TimeSpan.FromSeconds(15),
            Drain = TimeSpan.FromSeconds(30),
            // About once each of the 32 receivers.
            Churn = 2,
            Offline = TimeSpan.FromSeconds(1),
            SampleEvery = TimeSpan.FromSeconds(2),
        };

        var result = await SoakScenario.RunAsync(context, options, TestContext.Current.CancellationToken);

        output?.WriteLine(ResultWriter.Summary(result));
        AssertNothingLostDuplicatedOrReordered(result.Step);
        Assert.True(result.Churn.Rejoined >= 20, $"only {result.Churn.Rejoined} members came back");
        Assert.Equal(0, result.Churn.Failed);
        Assert.True(result.Churn.MissedFilled > 0, "no resume brought a missed message: the churn tested no catching up");
        Assert.True(result.Samples.Count >= 8, $"{result.Samples.Count} samples in 17 s at one per 2 s");
        Assert.All(result.Samples, sample => Assert.All(context.Processes, process => Assert.True(sample.ResidentKb[process.Name] > 0, $"no RSS for {process.Name}")));
        Assert.Equal(context.Processes.Count + 1, result.Memory.Count);
        // Every silo and gateway with its GC's figures beside its resident parts; the generator with its parts only.
        var breakdown = result.Breakdown.ToDictionary(row => row.Process);
        Assert.All(context.Processes, process => Assert.True(breakdown[process.Name].End.GcCommittedKb > 0, $"no GC figures for {process.Name}"));
        Assert.All(context.Processes, process => Assert.True(breakdown[process.Name].End.JitMethods > 1000, $"no JIT count for {process.Name}"));
        Assert.Null(breakdown["bench"].End.GcCommittedKb);
        Assert.True(breakdown["bench"].End.AnonymousKb > 0);
        var directory = Directory.CreateTempSubdirectory("cryb-soak-").FullName;
        try
        {
            var files = await ResultWriter.WriteAsync(result, directory);
            Assert.Equal(["result.json", "summary.md", "plot.svg", "plot.png", "cpu.svg", "cpu.png"], files);
            Assert.All(files, file => Assert.True(new FileInfo(Path.Combine(directory, file)).Length > 1000, $"{file} is nearly empty"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// connect with a warm-up: each user's four warm-up connections are closed, and the gateways
    /// count none open (their metrics read), before its four measured ones open, under the presence
    /// grain's cap of five. The JIT counts come from every process's metrics.
    /// </summary>
    [Fact]
    public async Task A_connect_run_with_a_warmup_closes_the_warmup_connections_before_the_measured_ones()
    {
        var logged = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var context = Context() with { Log = logged.Enqueue };
        var options = new ConnectOptions
        {
            Rate = 40,
            Duration = TimeSpan.FromSeconds(1),
            Warmup = TimeSpan.FromSeconds(1),
            Channels = 6,
            ChannelsPerUser = 3,
            Messages = 1,
            Devices = 4,
        };

        var result = await ConnectScenario.RunAsync(context, options, TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', logged) + '\n' + ResultWriter.Summary(result));
        // The gateways' own count of open connections was read and came to zero before the measured connects.
        Assert.Contains(ConnectScenario.WarmupSettled, logged);
        Assert.True(result.Passed, string.Join("; ", result.Failures));
        Assert.Equal(40, result.Connected);
        Assert.DoesNotContain(result.Errors.Keys, code => code != "try_again (retried)");
        Assert.Equal(context.MetricsUrls.Keys.Order(StringComparer.Ordinal), result.JitMethodsDuringArrivals.Keys.Order(StringComparer.Ordinal));
        Assert.All(result.JitMethodsDuringArrivals.Values, methods => Assert.True(methods >= 0));
    }

    /// <summary>
    /// idle, small: every connection held on the first gateway to the end, every process's memory
    /// read at each step, and each gateway's split into the GC's figures. The slope is not asserted.
    /// </summary>
    [Fact]
    public async Task An_idle_run_holds_every_connection_and_reads_every_process_at_each_step()
    {
        var context = Context();
        var options = new IdleOptions { Steps = [0, 20, 40], Channels = 6, ChannelsPerUser = 3, Settle = TimeSpan.FromSeconds(1) };

        var result = await IdleScenario.RunAsync(context, options, TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine(ResultWriter.Summary(result));
        Assert.True(result.Passed, string.Join("; ", result.Failures));
        Assert.Equal((40, 0), (result.StillOpen, result.Dropped));
        Assert.Equal([0, 20, 40], result.Steps.Select(step => step.Connections));
        Assert.All(result.Steps, step => Assert.All(context.Processes, process => Assert.True(step.ResidentKb[process.Name] > 0, $"no RSS for {process.Name} at {step.Connections}")));
        Assert.Equal(context.Processes.Select(process => process.Name).Order(), result.Slopes.PerProcessKbPerConnection.Keys.Order());
        Assert.All(result.Steps, step => Assert.All(context.Processes.Where(process => process.IsGateway),
            gateway => Assert.True(step.Memory!.Runtime[gateway.Name].GcHeapKb > 0, $"no GC heap for {gateway.Name} at {step.Connections}")));
        Assert.Contains("Where a gateway's memory per connection is", ResultWriter.Summary(result));
    }

    /// <summary>Something was acknowledged, and nothing was lost, duplicated, reordered, refused or dropped.</summary>
    private static void AssertNothingLostDuplicatedOrReordered(LoadStepResult step)
    {
        var correctness = step.Correctness;
        Assert.True(correctness.Acknowledged > 0, "no send was acknowledged");
        Assert.Equal(0, correctness.LostDeliveries);
        Assert.Equal(0, correctness.Duplicates);
        Assert.Equal(0, correctness.OutOfOrder);
        Assert.Empty(step.Errors);
        Assert.Equal(0, correctness.DisconnectedReceivers);
    }

    private BenchContext Context() => ClusterBenchContext.Of(fixture.Cluster);
}
