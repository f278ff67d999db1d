namespace Cryb.Guilds;

/// <summary>
/// A role of a server. <see cref="Position"/> orders roles (higher outranks lower; <c>@everyone</c>,
/// whose id is the server's id, is always 0): a member acts only on roles below their highest.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildRole")]
public sealed record GuildRole(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] ulong Permissions,
    [property: Id(3)] int Position,
    [property: Id(4)] bool Mentionable);

/// <summary>
/// What <c>CreateRole</c> and <c>UpdateRole</c> take; a null field is left as it is (on create:
/// "new role", no permissions, just above <c>@everyone</c>, not mentionable).
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.RoleSpec")]
public sealed record RoleSpec(
    [property: Id(0)] string? Name = null,
    [property: Id(1)] ulong? Permissions = null,
    [property: Id(2)] int? Position = null,
    [property: Id(3)] bool? Mentionable = null);
