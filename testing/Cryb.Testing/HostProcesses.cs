using System.Globalization;

namespace Cryb.Testing;

/// <summary>
/// Silos and gateways as <see cref="ClusterProcess"/>es, configured but not started, on the ports
/// <see cref="LocalPorts"/> gives them (free ones unless told): what every local cluster runs.
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
}
