namespace Cryb.Guilds;

/// <summary>
/// What decides a member's permissions in one channel of a server, apart from the member's own
/// roles: the owner, every role's permissions (the <c>@everyone</c> role under the server's id) and
/// the channel's overwrites, as of the server's <see cref="Version"/>. The server's grain gives it to
/// the channel's grain, which gives it to gateways in the channel's event stream.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildAccess")]
public sealed record GuildAccess(
    [property: Id(0)] string GuildId,
    [property: Id(1)] string OwnerId,
    [property: Id(2)] IReadOnlyDictionary<string, ulong> RolePermissions,
    [property: Id(3)] IReadOnlyList<PermissionOverwrite> Overwrites,
    [property: Id(4)] long Version)
{
    /// <summary>The roles anyone may mention (<c>&lt;@&amp;roleId&gt;</c>) to notify their holders; others only members with Mention Everyone.</summary>
    [Id(5)]
    public IReadOnlyList<string> MentionableRoleIds { get; init; } = [];
}
