namespace Cryb.Testing;

/// <summary>
/// Silos and gateways as <see cref="ClusterProcess"/>es, configured but not started, each on free
/// loopback ports of its own: what the integration tests' cluster and the fault suite both run.
/// </summary>
public static class HostProcesses
{
    /// <summary><c>silo-1</c> ... <c>silo-N</c> with <paramref name="environment"/> and silo and Orleans-gateway ports of their own.</summary>
    public static ClusterProcess[] Silos(int count, IReadOnlyDictionary<string, string> environment, string logDirectory) =>
        Enumerable.Range(1, count).Select(i => new ClusterProcess(
            $"silo-{i}", "Silo", "Cryb.Silo.dll", FreePort.Next(),
            new Dictionary<string, string>(environment)
            {
                ["Silo__SiloPort"] = FreePort.Next().ToString(),
                ["Silo__GatewayPort"] = FreePort.Next().ToString(),
            },
            logDirectory)).ToArray();

    /// <summary><c>gateway-1</c> ... <c>gateway-N</c> with <paramref name="environment"/>, each on an HTTP port of its own.</summary>
    public static ClusterProcess[] Gateways(int count, IReadOnlyDictionary<string, string> environment, string logDirectory) =>
        Enumerable.Range(1, count).Select(i => new ClusterProcess(
            $"gateway-{i}", "Gateway", "Cryb.Gateway.dll", FreePort.Next(),
            new Dictionary<string, string>(environment),
            logDirectory)).ToArray();
}
