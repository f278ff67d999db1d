namespace Cryb.Guilds;

/// <summary>
/// The one computation of a member's permissions, in Discord's documented order, used by the grains
/// (the channel policy and the server policy, for every caller) and by gateways (which channels a
/// connection is shown). Pure: the inputs are the server's <see cref="GuildAccess"/> and the member's
/// roles, nothing else.
/// </summary>
public static class GuildPermissions
{
    /// <summary>
    /// Server-wide permissions: every bit for the owner; otherwise <c>@everyone</c>'s bits OR those of
    /// each of the member's roles (a role id the server no longer has counts for nothing), and every
    /// bit if that includes <see cref="Permission.Administrator"/>.
    /// </summary>
    public static ulong Base(string guildId, string ownerId, IReadOnlyDictionary<string, ulong> rolePermissions, string memberId, IEnumerable<string> roleIds)
    {
        if (memberId == ownerId)
        {
            return Permission.All;
        }

        var permissions = rolePermissions.GetValueOrDefault(guildId);
        foreach (var roleId in roleIds)
        {
            permissions |= rolePermissions.GetValueOrDefault(roleId);
        }

        return Permission.Has(permissions, Permission.Administrator) ? Permission.All : permissions;
    }

    /// <summary>
    /// Permissions in the channel <paramref name="access"/> describes. From the base permissions
    /// (<see cref="Base"/>; an owner or administrator keeps every bit, overwrites do not apply), then:
    /// the channel's <c>@everyone</c> overwrite (deny, then allow); the denies of all of the member's
    /// role overwrites together, then their allows together; the member's own overwrite (deny, then
    /// allow). Last, the implicit rules: without <see cref="Permission.ViewChannel"/> nothing is left;
    /// without <see cref="Permission.SendMessages"/> no <see cref="Permission.MentionEveryone"/>;
    /// without <see cref="Permission.Connect"/> none of the <see cref="Permission.Voice"/> bits.
    /// </summary>
    public static ulong InChannel(GuildAccess access, string memberId, IReadOnlyCollection<string> roleIds)
    {
        var permissions = Base(access.GuildId, access.OwnerId, access.RolePermissions, memberId, roleIds);
        if (permissions == Permission.All)
        {
            return Permission.All;
        }

        var everyone = access.Overwrites.FirstOrDefault(o => o.Kind == OverwriteKind.Role && o.Id == access.GuildId);
        if (everyone is not null)
        {
            permissions = (permissions & ~everyone.Deny) | everyone.Allow;
        }

        ulong roleDeny = 0, roleAllow = 0;
        foreach (var overwrite in access.Overwrites)
        {
            if (overwrite.Kind == OverwriteKind.Role && overwrite.Id != access.GuildId && roleIds.Contains(overwrite.Id))
            {
                roleDeny |= overwrite.Deny;
                roleAllow |= overwrite.Allow;
            }
        }

        permissions = (permissions & ~roleDeny) | roleAllow;
        var own = access.Overwrites.FirstOrDefault(o => o.Kind == OverwriteKind.Member && o.Id == memberId);
        if (own is not null)
        {
            permissions = (permissions & ~own.Deny) | own.Allow;
        }

        if (!Permission.Has(permissions, Permission.ViewChannel))
        {
            return 0;
        }

        if (!Permission.Has(permissions, Permission.SendMessages))
        {
            permissions &= ~Permission.MentionEveryone;
        }

        if (!Permission.Has(permissions, Permission.Connect))
        {
            permissions &= ~Permission.Voice;
        }

        return permissions;
    }

    /// <summary>Whether the member may see the channel at all (and so hear any of its events).</summary>
    public static bool CanView(GuildAccess access, string memberId, IReadOnlyCollection<string> roleIds) =>
        Permission.Has(InChannel(access, memberId, roleIds), Permission.ViewChannel);
}
