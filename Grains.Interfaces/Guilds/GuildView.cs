namespace Cryb.Guilds;

/// <summary>
/// A whole server's structure, every channel included: what a gateway keeps per server it serves,
/// to compute each local member's visible channels with <see cref="GuildPermissions"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildView")]
public sealed record GuildView(
    [property: Id(0)] GuildInfo Guild,
    [property: Id(1)] IReadOnlyList<GuildRole> Roles,
    [property: Id(2)] IReadOnlyList<GuildChannel> Channels)
{
    /// <summary>Every role's permissions by role id, as <see cref="GuildAccess"/> holds them.</summary>
    public IReadOnlyDictionary<string, ulong> RolePermissions() => Roles.ToDictionary(role => role.Id, role => role.Permissions);

    /// <summary>The permission inputs of one of the server's channels.</summary>
    public GuildAccess AccessOf(GuildChannel channel) =>
        new(Guild.Id, Guild.OwnerId, RolePermissions(), channel.Overwrites, Guild.Version);
}

/// <summary>
/// A server as one member sees it (the <c>GuildCreated</c> payload): the channels they can view,
/// every role, their own member record and, unless the server is <see cref="Large"/>, its members.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildState")]
public sealed record GuildState(
    [property: Id(0)] GuildInfo Guild,
    [property: Id(1)] IReadOnlyList<GuildRole> Roles,
    [property: Id(2)] IReadOnlyList<GuildChannel> Channels,
    [property: Id(3)] GuildMember Member,
    [property: Id(4)] IReadOnlyList<GuildMember> Members,
    [property: Id(5)] bool Large);

/// <summary>The channel's place in its server and its permission inputs, for the channel's grain.</summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildChannelAccess")]
public sealed record GuildChannelAccess(
    [property: Id(0)] GuildChannel Channel,
    [property: Id(1)] GuildAccess Access);
