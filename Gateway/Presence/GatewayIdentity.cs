namespace Cryb.Gateway.Presence;

/// <summary>
/// This gateway process's id, new at every start: presence leases are per process, so a restarted
/// gateway never inherits the connections of the one that died.
/// </summary>
public sealed class GatewayIdentity
{
    public string Id { get; } = $"gw-{Environment.ProcessId}-{Guid.NewGuid():N}";
}
