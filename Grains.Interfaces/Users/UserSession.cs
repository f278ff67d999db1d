namespace Cryb.Users;

/// <summary>What a gateway needs when a user connects: their profile and the channels they belong to.</summary>
[GenerateSerializer, Immutable, Alias("cryb.UserSession")]
public sealed record UserSession(
    [property: Id(0)] string UserId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] IReadOnlyList<string> ChannelIds);
