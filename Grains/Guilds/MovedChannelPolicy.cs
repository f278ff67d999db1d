using Cryb.Channels;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;

namespace Cryb.Grains.Guilds;

/// <summary>
/// The old channel rules (<see cref="Cryb.Grains.Channels.ChannelPolicy"/>) mapped onto a server a
/// standalone channel moved into, for the channel methods that keep working there (invite, kick,
/// ban, set role, list members): a member's old role is read from the server, owner for the owner,
/// admin for a holder of the "Admins" role, member otherwise. Decided from the record and the rows
/// alone, like <see cref="GuildPolicy"/>, so it is tested without a cluster. Kicks and bans are
/// <see cref="GuildPolicy"/>'s own rules, which give the "Admins" role what the old admins had.
/// </summary>
public sealed class MovedChannelPolicy(string guildId, GuildRecord guild)
{
    /// <summary>The members of an adopted server a channel method lists at most (the old list had no paging; <c>RequestGuildMembers</c> pages).</summary>
    public const int MaxListedMembers = GuildLimits.MaxMembersPerChunk;

    /// <summary>The "Admins" role's id: the one the adoption made, or makes when an admin is first named.</summary>
    public string AdminRoleId { get; } = StandaloneAdoption.AdminRoleId(guildId);

    /// <summary>
    /// Whether a standalone channel moved into this server: the record says so, never the ids alone
    /// (a server may name one of its channels after itself).
    /// </summary>
    public bool IsAdopted => guild.Exists && guild.AdoptedVersion > 0;

    /// <summary>The member's role in the channel's old terms.</summary>
    public ChannelRole RoleOf(GuildMember row) =>
        row.UserId == guild.OwnerId ? ChannelRole.Owner
        : row.RoleIds.Contains(AdminRoleId) ? ChannelRole.Admin
        : ChannelRole.Member;

    /// <summary>
    /// The caller's old role. A server not made from a channel refuses the channel methods as every
    /// server does (<c>invalid_argument</c> to its members, <c>channel_not_found</c> to others); an
    /// outsider gets what the old channel gave them: <c>not_a_member</c> of a public one,
    /// <c>channel_not_found</c> of a private one.
    /// </summary>
    public ChannelRole RequireMember(Caller caller, GuildMember? row)
    {
        var isMember = guild.Exists && row is not null && row.UserId == caller.MemberId;
        if (!IsAdopted)
        {
            throw isMember ? NotMovedChannel() : ChannelNotFound();
        }

        if (!isMember)
        {
            throw guild.OpenToAll ? new ChatException(ErrorCodes.NotAMember, "Join the channel first.") : ChannelNotFound();
        }

        return RoleOf(row!);
    }

    /// <summary>Any member invites to a public channel, an admin or the owner to a private one; never a banned user.</summary>
    public void RequireMayInvite(Caller caller, GuildMember? row, bool banned)
    {
        var role = RequireMember(caller, row);
        if (!guild.OpenToAll && role < ChannelRole.Admin)
        {
            throw Forbidden("Only the owner or an admin can invite to a private channel.");
        }

        if (banned)
        {
            throw new ChatException(ErrorCodes.Banned, "That user is banned from this channel.");
        }
    }

    /// <summary>
    /// The owner makes another member an admin or a member again, as in the old channel; ownership
    /// moves with <c>TransferGuildOwnership</c> (the old channel never moved it either).
    /// </summary>
    public void RequireMaySetRole(Caller caller, GuildMember? row, string userId, ChannelRole role, GuildMember? target)
    {
        if (RequireMember(caller, row) != ChannelRole.Owner)
        {
            throw Forbidden("Only the owner can change roles.");
        }

        if (role is not (ChannelRole.Member or ChannelRole.Admin) || userId == caller.MemberId)
        {
            throw new ChatException(ErrorCodes.InvalidArgument,
                "Roles can be set to member or admin, on someone other than the owner; ownership moves with TransferGuildOwnership.");
        }

        if (target is null)
        {
            throw new ChatException(ErrorCodes.MemberNotFound, "That user is not a member.");
        }
    }

    /// <summary>The "Admins" role as the adoption makes it: what the old admins could do, just above <c>@everyone</c>.</summary>
    public GuildRole NewAdminsRole() => new(AdminRoleId, "Admins", Permission.StandaloneAdmin, 1, false);

    /// <summary>The members as the old channel listed them: owner, admins, members, each by id.</summary>
    public IReadOnlyList<ChannelMember> Listed(IEnumerable<GuildMember> rows) =>
        rows.Select(row => new ChannelMember(row.UserId, RoleOf(row)))
            .OrderByDescending(member => member.Role).ThenBy(member => member.UserId, StringComparer.Ordinal)
            .ToArray();

    private static ChatException NotMovedChannel() => new(ErrorCodes.InvalidArgument,
        "This channel belongs to a server: membership, roles and settings are the server's (CreateInvite, LeaveGuild, KickFromGuild, BanFromGuild, AddMemberRole, UpdateGuildChannel, DeleteGuildChannel, RequestGuildMembers).");

    private static ChatException ChannelNotFound() => new(ErrorCodes.ChannelNotFound, "No such channel.");

    private static ChatException Forbidden(string reason) => new(ErrorCodes.Forbidden, reason);
}
