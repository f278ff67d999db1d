namespace Cryb.Identity;

/// <summary>
/// What a process calling grains through the Orleans client presents: the name of its service
/// account and that account's secret. The silos know each account's secret and grants
/// (configuration section <c>Security:Services</c>) and refuse any client call without a valid one.
/// Gateways present theirs on behalf of the users they authenticated.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.ServiceCredential")]
public sealed record ServiceCredential(
    [property: Id(0)] string Name,
    [property: Id(1)] string Secret)
{
    /// <summary>Only the name: callers and their credentials end up in logs and exceptions.</summary>
    public override string ToString() => Name;
}
