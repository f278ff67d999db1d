namespace Cryb.Grains.Notifications.Push;

/// <summary>
/// Asks users' presence grains since when they are away, for the push outbox worker. The worker is a
/// hosted service, and the silos' <see cref="Security.CallerAuthorizationFilter"/> takes a call from
/// outside any grain for a client's, refusing the presence grain's silo-internal
/// <see cref="Cryb.Presence.IPresenceGrain.AwaySince"/>; made from this grain, the calls are
/// grain-to-grain. Declared here, not in the contracts: nothing outside the silos calls it.
/// </summary>
[Alias("cryb.IPushPresenceGrain")]
public interface IPushPresenceGrain : IGrainWithIntegerKey
{
    /// <summary>Each user's <see cref="Cryb.Presence.IPresenceGrain.AwaySince"/>, asked all at once.</summary>
    [Alias("AwaySince")]
    Task<Dictionary<string, DateTimeOffset?>> AwaySince(string[] userIds);
}
