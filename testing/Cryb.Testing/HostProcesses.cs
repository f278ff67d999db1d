using System.Globalization;

namespace Cryb.Testing;

/// <summary>
/// Silos and gateways as <see cref="ClusterProcess"/>es on the ports <see cref="LocalPorts"/> gives
/// them (free ones unless told): what every local cluster runs, and how it starts and stops them.
/// </summary>
public static class HostProcesses
{
    /// <summary><c>silo-1</c> ... <c>silo-N</c> with <paramref name="environment"/> and silo and Orleans-gateway ports of their own.</summary>
    public static ClusterProcess[] Silos(int count, IReadOnlyDictionary<string, string> environment, string logDirectory, LocalPorts? ports = null)
    {
        ports ??= LocalPorts.Free;
        return Enumerable.Range(0, count).Select(i => ClusterProcess.Host(
            $"silo-{i + 1}", "Silo", "Cryb.Silo.dll", ports.SiloHttp(i),
            new Dictionary<string, string>(environment)
            {
                ["Silo__SiloPort"] = ports.Silo(i).ToString(CultureInfo.InvariantCulture),
                ["Silo__GatewayPort"] = ports.OrleansGateway(i).ToString(CultureInfo.InvariantCulture),
            },
            logDirectory)).ToArray();
    }

    /// <summary><c>gateway-1</c> ... <c>gateway-N</c> with <paramref name="environment"/>, each on an HTTP port of its own.</summary>
    public static ClusterProcess[] Gateways(int count, IReadOnlyDictionary<string, string> environment, string logDirectory, LocalPorts? ports = null)
    {
        ports ??= LocalPorts.Free;
        return Enumerable.Range(0, count).Select(i => ClusterProcess.Host(
            $"gateway-{i + 1}", "Gateway", "Cryb.Gateway.dll", ports.Gateway(i), environment, logDirectory)).ToArray();
    }

    /// <summary>Starts every host at once (gateways retry until a silo answers) and waits until all are ready.</summary>
    public static async Task StartAllAsync(IEnumerable<ClusterProcess> hosts, CancellationToken cancellation = default)
    {
        var all = hosts.ToArray();
        foreach (var process in all)
        {
            process.Start();
        }

        await WaitAllReadyAsync(all, cancellation);
    }

    public static Task WaitAllReadyAsync(IEnumerable<ClusterProcess> hosts, CancellationToken cancellation = default) =>
        Task.WhenAll(hosts.Select(process => process.WaitReadyAsync(LocalCluster.ReadyTimeout, cancellation)));

    /// <summary>
    /// The order every local cluster stops in: SIGTERM to each gateway, so clients move on, then to
    /// each silo in turn, each leaving the cluster while the others still answer (silos stopped all
    /// at once make their shutdowns wait on each other). A host still running after its grace is
    /// killed, and <paramref name="log"/> says so.
    /// </summary>
    public static async Task StopInOrderAsync(IReadOnlyList<ClusterProcess> gateways, IReadOnlyList<ClusterProcess> silos, Action<string>? log = null)
    {
        foreach (var gateway in gateways.Reverse())
        {
            await StopAsync(gateway, TimeSpan.FromSeconds(20), log);
        }

        foreach (var silo in silos.Reverse())
        {
            await StopAsync(silo, TimeSpan.FromSeconds(30), log);
        }
    }

    private static async Task StopAsync(ClusterProcess process, TimeSpan grace, Action<string>? log)
    {
        if (!await process.StopAsync(grace))
        {
            log?.Invoke($"{process.Name} did not stop within {grace.TotalSeconds:0} s; killed it");
        }
    }
}
