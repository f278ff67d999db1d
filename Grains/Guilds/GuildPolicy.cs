using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;

namespace Cryb.Grains.Guilds;

/// <summary>A member acting in a server: their permissions there and the position of their highest role.</summary>
/// <param name="Highest">The highest position among their roles (0 with none); the owner's is <see cref="int.MaxValue"/>.</param>
public sealed record GuildActor(string MemberId, ulong Permissions, int Highest, bool IsOwner)
{
    /// <summary>The owner or an administrator: overwrites and grants are not limited to what they hold.</summary>
    public bool HasAll => Permissions == Permission.All;
}

/// <summary>
/// Who may do what in a server, decided from the server's record and the caller's member row
/// alone: no storage, no clock, no other grain, so every rule is tested without a cluster. Server
/// permissions come from <see cref="GuildPermissions.Base"/>; the hierarchy rules: nobody acts on
/// a role at or above their own highest, grants a permission they lack, or removes a member whose
/// highest role is at or above theirs, and the owner outranks everyone. Checks run in a fixed order
/// (membership, permission, target, hierarchy), which decides the code a caller breaking two rules gets.
/// </summary>
public sealed class GuildPolicy(string guildId, GuildRecord guild)
{
    /// <summary>The caller as a member; an outsider (or a server that does not exist) is <c>guild_not_found</c>.</summary>
    public GuildActor RequireMember(Caller caller, GuildMember? row)
    {
        if (!guild.Exists || row is null || row.UserId != caller.MemberId)
        {
            throw NotFound();
        }

        return Actor(row);
    }

    /// <summary>The caller as a member holding <paramref name="permission"/>.</summary>
    public GuildActor Require(Caller caller, GuildMember? row, ulong permission)
    {
        var actor = RequireMember(caller, row);
        if (!Permission.Has(actor.Permissions, permission))
        {
            throw Forbidden("You lack the permission for this in this server.");
        }

        return actor;
    }

    public void RequireExists()
    {
        if (!guild.Exists)
        {
            throw NotFound();
        }
    }

    /// <summary>A new server under this id: never one that exists or existed.</summary>
    public void RequireMayCreate()
    {
        if (guild.Exists || guild.Deleted)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "A server with this id already exists.");
        }
    }

    public GuildActor RequireOwner(Caller caller, GuildMember? row)
    {
        var actor = RequireMember(caller, row);
        return actor.IsOwner ? actor : throw Forbidden("Only the owner can do this.");
    }

    /// <summary>The new owner is another member.</summary>
    public static void RequireMayTransferTo(GuildMember? target)
    {
        if (target is null)
        {
            throw new ChatException(ErrorCodes.MemberNotFound, "That user is not a member.");
        }
    }

    public void RequireMayLeave(Caller caller, GuildMember? row)
    {
        if (RequireMember(caller, row).IsOwner)
        {
            throw new ChatException(ErrorCodes.OwnerCannotLeave, "The owner cannot leave; transfer the server or delete it.");
        }
    }

    /// <summary>Joining: a banned user is refused, and nobody past the member cap.</summary>
    public void RequireMayJoin(bool banned, int memberCount, int maxMembers)
    {
        RequireExists();
        if (banned)
        {
            throw new ChatException(ErrorCodes.Banned, "You are banned from this server.");
        }

        RequireRoomForMembers(memberCount, 1, maxMembers);
    }

    /// <summary>Importing members: only a backend service, into a server that exists.</summary>
    public void RequireMayImport(Caller caller)
    {
        // The silos' filter has checked the service's grant; users import nobody.
        if (caller.Kind != CallerKind.Service)
        {
            throw new ChatException(ErrorCodes.Forbidden, "Only a backend service imports members.");
        }

        RequireExists();
    }

    public static void RequireRoomForMembers(int memberCount, int adding, int maxMembers)
    {
        if ((long)memberCount + adding > maxMembers)
        {
            throw new ChatException(ErrorCodes.GuildFull, $"A server may have {maxMembers} members.");
        }
    }

    /// <summary>"kick members", on another member (never the owner) whose highest role is below the caller's.</summary>
    public GuildActor RequireMayKick(Caller caller, GuildMember? row, string userId, GuildMember? target)
    {
        var actor = Require(caller, row, Permission.KickMembers);
        RequireOutranks(actor, userId, target ?? throw new ChatException(ErrorCodes.MemberNotFound, "That user is not a member."));
        return actor;
    }

    /// <summary>"ban members"; a member must rank below the caller; a non-member may be banned to keep them out.</summary>
    public GuildActor RequireMayBan(Caller caller, GuildMember? row, string userId, GuildMember? target)
    {
        var actor = Require(caller, row, Permission.BanMembers);
        if (target is not null)
        {
            RequireOutranks(actor, userId, target);
        }
        else if (userId == caller.MemberId || userId == guild.OwnerId)
        {
            throw Forbidden("You cannot ban yourself or the owner.");
        }

        return actor;
    }

    /// <summary>Adding a channel: "manage channels", under the server's channel limit.</summary>
    public GuildActor RequireMayCreateChannel(Caller caller, GuildMember? row)
    {
        var actor = Require(caller, row, Permission.ManageChannels);
        RequireBelowLimit(guild.Channels.Count, GuildLimits.MaxChannelsPerGuild, "channels");
        return actor;
    }

    /// <summary>
    /// Changing a channel's overwrites from <paramref name="before"/> to <paramref name="after"/>:
    /// "manage roles" too, at most <see cref="GuildLimits.MaxOverwritesPerChannel"/>, each for a role
    /// of the server or a user, and no new or changed overwrite may allow or deny a bit the caller
    /// lacks (unless they hold every bit: owner or administrator).
    /// </summary>
    public void RequireMaySetOverwrites(GuildActor actor, IReadOnlyList<PermissionOverwrite> before, IReadOnlyList<PermissionOverwrite> after)
    {
        if (before.SequenceEqual(after))
        {
            return;
        }

        if (!Permission.Has(actor.Permissions, Permission.ManageRoles))
        {
            throw Forbidden("Changing overwrites needs the manage roles permission.");
        }

        RequireBelowLimit(after.Count - 1, GuildLimits.MaxOverwritesPerChannel, "overwrites in a channel");
        if (after.DistinctBy(o => (o.Kind, o.Id)).Count() != after.Count)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "One overwrite per role or member.");
        }

        foreach (var overwrite in after.Except(before))
        {
            if (overwrite.Kind == OverwriteKind.Role ? !guild.Roles.ContainsKey(overwrite.Id) : !GuildRules.IsMemberId(overwrite.Id))
            {
                throw new ChatException(ErrorCodes.RoleNotFound, "An overwrite names no role of this server or no valid user id.");
            }

            RequireKnownBits(overwrite.Allow | overwrite.Deny);
            if (!actor.HasAll && ((overwrite.Allow | overwrite.Deny) & ~actor.Permissions) != 0)
            {
                throw Forbidden("An overwrite may not allow or deny a permission you lack.");
            }
        }
    }

    /// <summary>Adding a role: "manage roles", under the role limit, below the caller's highest, with permissions the caller holds.</summary>
    public GuildActor RequireMayCreateRole(Caller caller, GuildMember? row, ulong permissions, int position)
    {
        var actor = Require(caller, row, Permission.ManageRoles);
        RequireBelowLimit(guild.Roles.Count, GuildLimits.MaxRolesPerGuild, "roles");
        RequirePlaceable(actor, position);
        RequireMayGrant(actor, 0, permissions);
        return actor;
    }

    /// <summary>
    /// Changing a role: "manage roles" on a role below the caller's highest, to a position below it,
    /// adding only permissions the caller holds. <c>@everyone</c> keeps its name and position 0.
    /// </summary>
    public GuildActor RequireMayUpdateRole(Caller caller, GuildMember? row, string roleId, RoleSpec spec)
    {
        var (actor, role) = RequireManageableRole(caller, row, roleId);
        if (roleId == guildId && (spec.Position is not (null or 0) || spec.Name is not null && spec.Name != role.Name))
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "The @everyone role keeps its name and position.");
        }

        if (roleId != guildId && spec.Position is { } position)
        {
            RequirePlaceable(actor, position);
        }

        RequireMayGrant(actor, role.Permissions, spec.Permissions ?? role.Permissions);
        return actor;
    }

    /// <summary>Deleting a role: "manage roles" on a role below the caller's highest; never <c>@everyone</c>.</summary>
    public GuildRole RequireMayDeleteRole(Caller caller, GuildMember? row, string roleId)
    {
        if (roleId == guildId)
        {
            RequireMember(caller, row);
            throw new ChatException(ErrorCodes.InvalidArgument, "The @everyone role cannot be deleted.");
        }

        return RequireManageableRole(caller, row, roleId).Role;
    }

    /// <summary>Giving or taking a role: "manage roles", a role below the caller's highest (not <c>@everyone</c>), on a member.</summary>
    public GuildRole RequireMayAssignRole(Caller caller, GuildMember? row, string roleId, GuildMember? target)
    {
        if (roleId == guildId)
        {
            RequireMember(caller, row);
            throw new ChatException(ErrorCodes.InvalidArgument, "Everyone has the @everyone role.");
        }

        var (_, role) = RequireManageableRole(caller, row, roleId);
        return target is null ? throw new ChatException(ErrorCodes.MemberNotFound, "That user is not a member.") : role;
    }

    /// <summary>One's own nickname with "change nickname"; another's with "manage nicknames", if they rank below.</summary>
    public void RequireMaySetNickname(Caller caller, GuildMember? row, string userId, GuildMember? target)
    {
        if (userId == caller.MemberId)
        {
            Require(caller, row, Permission.ChangeNickname);
            return;
        }

        var actor = Require(caller, row, Permission.ManageNicknames);
        RequireOutranks(actor, userId, target ?? throw new ChatException(ErrorCodes.MemberNotFound, "That user is not a member."));
    }

    /// <summary>A new invite: "create invite", under the open invite limit.</summary>
    public void RequireMayCreateInvite(Caller caller, GuildMember? row, int openInvites)
    {
        Require(caller, row, Permission.CreateInvite);
        RequireBelowLimit(openInvites, GuildLimits.MaxInvitesPerGuild, "open invites");
    }

    /// <summary>Revoking: the invite's creator, or "manage server".</summary>
    public void RequireMayRevokeInvite(Caller caller, GuildMember? row, string createdBy)
    {
        var actor = RequireMember(caller, row);
        if (createdBy != actor.MemberId && !Permission.Has(actor.Permissions, Permission.ManageServer))
        {
            throw Forbidden("Only the invite's creator or a member with manage server can revoke it.");
        }
    }

    /// <summary>The caller's permissions and rank, from their member row.</summary>
    public GuildActor Actor(GuildMember row)
    {
        var isOwner = row.UserId == guild.OwnerId;
        var permissions = GuildPermissions.Base(guildId, guild.OwnerId, guild.RolePermissions(), row.UserId, row.RoleIds);
        return new GuildActor(row.UserId, permissions, isOwner ? int.MaxValue : HighestPosition(row.RoleIds), isOwner);
    }

    /// <summary>The highest position among these roles (roles the server no longer has count for nothing).</summary>
    public int HighestPosition(IEnumerable<string> roleIds) =>
        roleIds.Select(id => guild.Roles.GetValueOrDefault(id)?.Position ?? 0).DefaultIfEmpty(0).Max();

    public static void RequireKnownBits(ulong permissions)
    {
        if ((permissions & ~Permission.All) != 0)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "Unknown permission bits.");
        }
    }

    private (GuildActor Actor, GuildRole Role) RequireManageableRole(Caller caller, GuildMember? row, string roleId)
    {
        var actor = Require(caller, row, Permission.ManageRoles);
        if (!guild.Roles.TryGetValue(roleId, out var role))
        {
            throw new ChatException(ErrorCodes.RoleNotFound, "No such role.");
        }

        if (role.Position >= actor.Highest)
        {
            throw Forbidden("You can only manage roles below your highest role.");
        }

        return (actor, role);
    }

    private static void RequirePlaceable(GuildActor actor, int position)
    {
        if (position < 1)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "Roles sit at position 1 or higher; 0 is @everyone's.");
        }

        if (position >= actor.Highest)
        {
            throw Forbidden("A role must sit below your highest role.");
        }
    }

    private static void RequireMayGrant(GuildActor actor, ulong before, ulong after)
    {
        RequireKnownBits(after);
        if (!actor.HasAll && (after & ~before & ~actor.Permissions) != 0)
        {
            throw Forbidden("You cannot grant a permission you lack.");
        }
    }

    private void RequireOutranks(GuildActor actor, string userId, GuildMember target)
    {
        if (userId == actor.MemberId)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "Use LeaveGuild to leave.");
        }

        if (userId == guild.OwnerId || HighestPosition(target.RoleIds) >= actor.Highest)
        {
            throw Forbidden("You can only act on members whose highest role is below yours.");
        }
    }

    private static void RequireBelowLimit(int count, int limit, string what)
    {
        if (count >= limit)
        {
            throw new ChatException(ErrorCodes.LimitReached, $"A server may have {limit} {what}.");
        }
    }

    private static ChatException NotFound() => new(ErrorCodes.GuildNotFound, "No such server.");

    private static ChatException Forbidden(string reason) => new(ErrorCodes.Forbidden, reason);
}
