namespace Cryb.Guilds;

/// <summary>
/// A channel's place in its server: the server's grain owns it (name, type, category, position,
/// overwrites); a text channel's grain holds a copy of what it needs to authorize calls.
/// <see cref="CreatedAt"/> is set when the server's grain creates the channel; channels stored before
/// it existed are given their id's time (a UUIDv7's) when the server's grain activates.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildChannel")]
public sealed record GuildChannel(
    [property: Id(0)] string Id,
    [property: Id(1)] string GuildId,
    [property: Id(2)] GuildChannelType Type,
    [property: Id(3)] string Name,
    [property: Id(4)] string Topic,
    [property: Id(5)] string? ParentId,
    [property: Id(6)] int Position,
    [property: Id(7)] int UserLimit,
    [property: Id(8)] IReadOnlyList<PermissionOverwrite> Overwrites,
    [property: Id(9)] DateTimeOffset CreatedAt = default);

/// <summary>
/// What <c>CreateGuildChannel</c> and <c>UpdateGuildChannel</c> take. On create, <see cref="Name"/> is
/// required and <see cref="Type"/> defaults to text; on update a null field is left as it is
/// (<see cref="Type"/> and <see cref="ParentId"/> cannot change there: <c>MoveGuildChannel</c> moves).
/// <see cref="UserLimit"/> is for voice channels, 0 (no limit) to 99.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildChannelSpec")]
public sealed record GuildChannelSpec(
    [property: Id(0)] string? Name = null,
    [property: Id(1)] GuildChannelType? Type = null,
    [property: Id(2)] string? ParentId = null,
    [property: Id(3)] string? Topic = null,
    [property: Id(4)] int? UserLimit = null,
    [property: Id(5)] IReadOnlyList<PermissionOverwrite>? Overwrites = null);
