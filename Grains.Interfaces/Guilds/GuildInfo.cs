namespace Cryb.Guilds;

/// <summary>
/// A server's description. <see cref="Version"/> grows with every change to the server's
/// structure (name, owner, roles, channels, overwrites), and a member's record carries the version
/// of its last change, so gateways and clients keep the newest of two copies.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildInfo")]
public sealed record GuildInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string OwnerId,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] int MemberCount,
    [property: Id(5)] long Version);
