using Cryb.Bench;
using Cryb.Bench.Measurement;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Bench;

/// <summary>The load tool's view of a test cluster, as <c>./cryb bench</c> gives it: the gateways, every silo's and gateway's process and metrics.</summary>
public static class ClusterBenchContext
{
    public static BenchContext Of(ProcessCluster cluster)
    {
        var output = TestContext.Current.TestOutputHelper;
        return new BenchContext
        {
            Gateways = cluster.Gateways.Select(gateway => gateway.Url).ToArray(),
            Processes = cluster.Silos.Concat(cluster.Gateways).Select(process => new MonitoredProcess(process.Name, process.ProcessId)).ToArray(),
            MetricsUrls = cluster.Silos.Concat(cluster.Gateways).ToDictionary(process => process.Name, process => $"{process.Url}/metrics"),
            SetupConcurrency = 16,
            Log = line => output?.WriteLine(line),
        };
    }
}
