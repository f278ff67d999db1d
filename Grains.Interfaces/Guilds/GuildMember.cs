namespace Cryb.Guilds;

/// <summary>
/// A member of a server, from its row in PostgreSQL: roles (never <c>@everyone</c>, which everyone
/// has), nickname, and the <see cref="Version"/> of its last change. <see cref="Name"/> is what name
/// queries match: the nickname, else the display name the user had when they joined.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildMember")]
public sealed record GuildMember(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Nickname,
    [property: Id(3)] IReadOnlyList<string> RoleIds,
    [property: Id(4)] DateTimeOffset JoinedAt,
    [property: Id(5)] long Version);

/// <summary>
/// A user's membership of a server as their user grain keeps it (so a connect reads every server's
/// roles in the one session call); the server's grain tells the user grain of each change.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildMembership")]
public sealed record GuildMembership(
    [property: Id(0)] string GuildId,
    [property: Id(1)] IReadOnlyList<string> RoleIds,
    [property: Id(2)] long Version);
