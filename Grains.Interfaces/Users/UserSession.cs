namespace Cryb.Users;

/// <summary>What a gateway needs when a user connects: the profile, channels, servers (with the user's roles) and read positions.</summary>
[GenerateSerializer, Immutable, Alias("cryb.UserSession")]
public sealed record UserSession(
    [property: Id(0)] string UserId,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] IReadOnlyList<string> ChannelIds,
    [property: Id(3)] IReadOnlyDictionary<string, long> LastReadSeqs,
    [property: Id(4)] IReadOnlyList<Guilds.GuildMembership>? Guilds = null);
