namespace Cryb.Grains.Notifications.Push;

/// <summary>
/// Asks users' presence grains since when they are away, for the push outbox worker. The worker is a
/// hosted service, and the silos' <see cref="Security.CallerAuthorizationFilter"/> takes a call from
/// outside any grain for a client's, refusing the presence grain's silo-internal
/// <see cref="Cryb.Presence.IPresenceGrain.AwaySince"/>; made from this grain, the calls are
/// grain-to-grain. Declared here, not in the contracts: nothing outside the silos calls it, and a
/// client that declares it anyway is refused, as it cannot know the silo's <see cref="SiloLocalToken"/>.
/// </summary>
[Alias("cryb.IPushPresenceGrain")]
public interface IPushPresenceGrain : IGrainWithIntegerKey
{
    /// <summary>Each user's <see cref="Cryb.Presence.IPresenceGrain.AwaySince"/>, asked all at once; <c>forbidden</c> without this silo's token.</summary>
    [Alias("AwaySince")]
    Task<Dictionary<string, DateTimeOffset?>> AwaySince(byte[] siloToken, string[] userIds);
}
