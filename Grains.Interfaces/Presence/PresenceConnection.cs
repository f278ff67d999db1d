namespace Cryb.Presence;

/// <summary>One live connection of a user, as its gateway registers it.</summary>
[GenerateSerializer, Immutable, Alias("cryb.PresenceConnection")]
public sealed record PresenceConnection(
    [property: Id(0)] string ConnectionId,
    [property: Id(1)] string GatewayId,
    [property: Id(2)] DeviceKind Device);
