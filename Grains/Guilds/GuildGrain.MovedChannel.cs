using Cryb.Channels;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;

namespace Cryb.Grains.Guilds;

/// <summary>
/// The old channel methods on a server a standalone channel moved into (issue 19: they keep
/// working after the move), each as the server's own change under <see cref="MovedChannelPolicy"/>.
/// The channel's grain calls these with call-chain reentrancy, so this server's pushes back to
/// that channel (a member's roles, a new role's access) enter it while it waits.
/// </summary>
public sealed partial class GuildGrain
{
    private MovedChannelPolicy Moved => new(GuildId, state.State);

    public async Task<bool> CheckInviteToMovedChannel(Caller caller, string userId) =>
        await InviteTargetAsync(caller, userId) is not null;

    public async Task<GuildMember> AddMemberOfMovedChannel(Caller caller, string userId)
    {
        var target = await InviteTargetAsync(caller, userId);
        if (target is not null)
        {
            // Inviting a member changed nothing in the old channel; a retry whose word to the user grain failed completes it.
            await _users.SetAsync(GuildId, target);
            return target;
        }

        GuildPolicy.RequireRoomForMembers(_members.Count, 1, options.Value.MaxMembers);
        await _users.RequireRoomAsync(userId);
        var added = await _members.AddAsync(userId, inviteCode: null);
        await _users.SetAsync(GuildId, added);
        return added;
    }

    /// <summary>Refuses an invite the caller may not make (not a member, rights, a ban); the user's row if they are a member already.</summary>
    private async Task<GuildMember?> InviteTargetAsync(Caller caller, string userId)
    {
        var row = await RowOfAsync(caller);
        var target = await _members.TargetAsync(userId);
        Moved.RequireMayInvite(caller, row, banned: target is null && await store.IsBannedAsync(GuildId, userId));
        return target;
    }

    public async Task KickFromMovedChannel(Caller caller, string userId)
    {
        Moved.RequireMember(caller, await RowOfAsync(caller));
        await Kick(caller, userId);
    }

    public async Task BanFromMovedChannel(Caller caller, string userId)
    {
        Moved.RequireMember(caller, await RowOfAsync(caller));
        // The old channel's ban kept the user's messages.
        await Ban(caller, userId, deleteMessageSeconds: 0, reason: null);
    }

    public async Task UnbanFromMovedChannel(Caller caller, string userId)
    {
        Moved.RequireMember(caller, await RowOfAsync(caller));
        await Unban(caller, userId);
    }

    public async Task<GuildMember> SetMovedChannelRole(Caller caller, string userId, ChannelRole role)
    {
        var row = await RowOfAsync(caller);
        var target = await _members.TargetAsync(userId);
        var moved = Moved;
        moved.RequireMaySetRole(caller, row, userId, role, target);
        var isAdmin = target!.RoleIds.Contains(moved.AdminRoleId);
        if (role == ChannelRole.Admin && !isAdmin)
        {
            await AddAdminsRoleAsync(moved);
            return await _members.SetRolesAsync(Guild, target, [.. target.RoleIds, moved.AdminRoleId]);
        }

        return role == ChannelRole.Member && isAdmin
            ? await _members.SetRolesAsync(Guild, target, target.RoleIds.Where(id => id != moved.AdminRoleId).ToArray())
            : target;
    }

    public async Task<IReadOnlyList<ChannelMember>> GetMovedChannelMembers(Caller caller)
    {
        var moved = Moved;
        moved.RequireMember(caller, await RowOfAsync(caller));
        return moved.Listed(await store.ListMembersAsync(GuildId, null, MovedChannelPolicy.MaxListedMembers));
    }

    /// <summary>
    /// The "Admins" role, for a server whose channel had no admins when it moved (or whose owner
    /// deleted the role since): made as the adoption makes it, announced as any new role.
    /// </summary>
    private async Task AddAdminsRoleAsync(MovedChannelPolicy moved)
    {
        if (Guild.Roles.ContainsKey(moved.AdminRoleId))
        {
            return;
        }

        if (Guild.Roles.Count >= GuildLimits.MaxRolesPerGuild)
        {
            throw new ChatException(ErrorCodes.LimitReached, $"A server may have {GuildLimits.MaxRolesPerGuild} roles.");
        }

        var admins = moved.NewAdminsRole();
        var changed = GuildLayout.PlaceRole(Guild, GuildId, admins, admins.Position);
        await CommitAsync();
        await _channels.AttachAllAsync(Guild);
        await PublishAsync(new GuildRoleCreated(GuildId, Guild.Version, Guild.Roles[admins.Id]));
        await PublishRolesAsync(changed.Where(role => role.Id != admins.Id));
    }
}
