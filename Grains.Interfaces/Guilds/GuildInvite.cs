namespace Cryb.Guilds;

/// <summary>
/// An invite to a server: <see cref="Code"/> is random and cannot be guessed; it admits up to
/// <see cref="MaxUses"/> people (0: no limit) until <see cref="ExpiresAt"/> (null: never).
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildInvite")]
public sealed record GuildInvite(
    [property: Id(0)] string Code,
    [property: Id(1)] string GuildId,
    [property: Id(2)] string GuildName,
    [property: Id(3)] string CreatedBy,
    [property: Id(4)] int MaxUses,
    [property: Id(5)] int Uses,
    [property: Id(6)] DateTimeOffset? ExpiresAt,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] int MemberCount);

/// <summary>A page of a server's members and, for a request by user ids, the ids that are not members.</summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildMemberPage")]
public sealed record GuildMemberPage(
    [property: Id(0)] IReadOnlyList<GuildMember> Members,
    [property: Id(1)] IReadOnlyList<string> NotFound,
    [property: Id(2)] int MemberCount);

/// <summary>A banned user, the member who banned them and why.</summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildBan")]
public sealed record GuildBan(
    [property: Id(0)] string UserId,
    [property: Id(1)] string BannedBy,
    [property: Id(2)] string Reason,
    [property: Id(3)] DateTimeOffset BannedAt);
