using Cryb.Channels;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;

namespace Cryb.Grains.Channels;

/// <summary>
/// Who may do what in a channel, decided from the channel's own state and the caller alone: no
/// storage, no clock, no other grain, so every rule is tested without a cluster. Each method
/// refuses with the stable code a client sees, and checks in a fixed order, since that order
/// decides which code a caller breaking two rules gets. A service caller is held to the same rules
/// as a user, under its member id (<c>service:name</c>) and with the role it was given.
/// </summary>
/// <remarks>
/// A standalone channel's roles are its own (member, admin, owner). A server's text channel has no
/// members of its own: a caller is one if the server's member rows list them and
/// <see cref="GuildPermissions"/> lets them view it, from the server's <see cref="GuildAccess"/> and
/// the caller's roles (<paramref name="guildMembers"/>, which the grain loads before it asks). The
/// grain only asks.
/// </remarks>
public sealed class ChannelPolicy(ChannelState channel, GuildMemberRoles? guildMembers = null)
{
    /// <summary>The prefix of direct message channel ids (<see cref="DirectMessages.ChannelId"/>); no other channel may take it.</summary>
    public const string DirectPrefix = "dm-";

    /// <summary>Whether <paramref name="memberId"/> is a member, and with which role.</summary>
    public bool HasMember(string memberId, out ChannelRole role)
    {
        role = default;
        if (!channel.IsGuildChannel)
        {
            return channel.Exists && channel.Members.TryGetValue(memberId, out role);
        }

        // A server channel shows no roles of its own: the owner is its owner, everyone else a member.
        role = memberId == channel.Access!.OwnerId ? ChannelRole.Owner : ChannelRole.Member;
        return channel.Exists && Permission.Has(GuildPermissionsOf(memberId), Permission.ViewChannel);
    }

    /// <summary>
    /// The member's permissions in this server channel; 0 for a non-member or a member whose roles
    /// are not loaded (the grain loads them first). Every bit in a standalone channel.
    /// </summary>
    public ulong GuildPermissionsOf(string memberId)
    {
        if (!channel.IsGuildChannel)
        {
            return Permission.All;
        }

        return guildMembers is not null && guildMembers.TryGet(memberId, out var roleIds)
            ? GuildPermissions.InChannel(channel.Access!, memberId, roleIds)
            : 0;
    }

    /// <summary>The caller's role; a non-member is refused, and of a private channel learns nothing.</summary>
    public ChannelRole RequireMember(Caller caller) =>
        HasMember(caller.MemberId, out var role) ? role : throw NotAMemberRefusal();

    /// <summary>Why <paramref name="memberId"/> may not send, checked again when a queued send is committed; null if it may.</summary>
    /// <remarks>
    /// In a server channel a member whose roles were dropped from memory since the send was queued
    /// (and checked) may send: only the server's word that they were removed, or roles that no
    /// longer allow it, refuse them here.
    /// </remarks>
    public ChatException? SendRefusal(string memberId)
    {
        if (!channel.IsGuildChannel || guildMembers is null || guildMembers.IsRemoved(memberId))
        {
            return HasMember(memberId, out _) ? null : NotAMemberRefusal();
        }

        if (!guildMembers.TryGet(memberId, out _))
        {
            return null;
        }

        var permissions = GuildPermissionsOf(memberId);
        return !Permission.Has(permissions, Permission.ViewChannel) ? NotFound()
            : !Permission.Has(permissions, Permission.SendMessages) ? Forbidden(NoSendReason)
            : null;
    }

    /// <summary>A send's early check: a member, and in a server channel one who may send there.</summary>
    /// <remarks>
    /// On the hot path of every send: the member's roles are looked up and their permissions computed
    /// once, for both "view channel" (else the channel is not found) and "send messages" (else forbidden).
    /// </remarks>
    public void RequireMaySend(Caller caller)
    {
        if (!channel.IsGuildChannel)
        {
            RequireMember(caller);
            return;
        }

        var permissions = channel.Exists ? GuildPermissionsOf(caller.MemberId) : 0;
        if (!Permission.Has(permissions, Permission.ViewChannel))
        {
            throw NotAMemberRefusal();
        }

        if (!Permission.Has(permissions, Permission.SendMessages))
        {
            throw Forbidden(NoSendReason);
        }
    }

    /// <summary>Adding a reaction: a member, and in a server channel one with "add reactions".</summary>
    public void RequireMayReact(Caller caller)
    {
        RequireMember(caller);
        if (!Permission.Has(GuildPermissionsOf(caller.MemberId), Permission.AddReactions))
        {
            throw Forbidden("You may not add reactions in this channel.");
        }
    }

    public void RequireExists()
    {
        if (!channel.Exists)
        {
            throw NotFound();
        }
    }

    /// <summary>A new channel under <paramref name="channelId"/>: never a direct message id, never an id used before.</summary>
    public void RequireMayCreate(string channelId)
    {
        if (channelId.StartsWith(DirectPrefix, StringComparison.Ordinal))
        {
            throw new ChatException(ErrorCodes.InvalidArgument, $"Channel ids starting with '{DirectPrefix}' are reserved for direct messages.");
        }

        if (channel.Exists || channel.Deleted)
        {
            throw new ChatException(ErrorCodes.ChannelExists, "A channel with this id already exists.");
        }
    }

    /// <summary>The direct message channel <paramref name="channelId"/> is the caller's with <paramref name="otherUserId"/>, and with nobody else.</summary>
    public static void RequireDirectPair(string channelId, Caller caller, string otherUserId)
    {
        Ids.Require(otherUserId, "userId");
        if (otherUserId == caller.MemberId)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "A direct message needs another user.");
        }

        if (channelId != DirectMessages.ChannelId(caller.MemberId, otherUserId))
        {
            throw new ChatException(ErrorCodes.Forbidden, "This is not the direct message channel of these two users.");
        }
    }

    /// <summary>
    /// Whether joining adds the caller (false: already a member). Private channels take members by
    /// invitation only and look absent to everyone else; a banned user stays out.
    /// </summary>
    public bool RequireMayJoin(Caller caller)
    {
        RequireExists();
        if (channel.IsGuildChannel)
        {
            RequireMember(caller); // Members of the server who may view it are in already.
            return false;
        }

        if (channel.Members.ContainsKey(caller.MemberId))
        {
            return false;
        }

        if (channel.IsPrivate)
        {
            throw NotFound();
        }

        if (channel.Banned.Contains(caller.MemberId))
        {
            throw new ChatException(ErrorCodes.Banned, "You are banned from this channel.");
        }

        return true;
    }

    /// <summary>Any member invites to a public channel, an admin or the owner to a private one; never a banned user.</summary>
    public void RequireMayInvite(Caller caller, string userId)
    {
        Ids.Require(userId, "userId");
        var role = RequireMember(caller);
        RefuseInDirect();
        RefuseInGuild();
        if (channel.IsPrivate && role < ChannelRole.Admin)
        {
            throw Forbidden("Only the owner or an admin can invite to a private channel.");
        }

        if (channel.Banned.Contains(userId))
        {
            throw new ChatException(ErrorCodes.Banned, "That user is banned from this channel.");
        }
    }

    public void RequireMayLeave(Caller caller)
    {
        var role = RequireMember(caller);
        RefuseInGuild();
        if (role == ChannelRole.Owner)
        {
            throw new ChatException(ErrorCodes.OwnerCannotLeave, "The owner cannot leave; delete the channel instead.");
        }
    }

    /// <summary>An admin or the owner removes a member of a lower role.</summary>
    public void RequireMayKick(Caller caller, string userId) => RequireOutranks(caller, userId, mustBeMember: true);

    /// <summary>As a kick, and a user who is not (or no longer) a member may be banned too, to keep them out.</summary>
    public void RequireMayBan(Caller caller, string userId) => RequireOutranks(caller, userId, mustBeMember: false);

    /// <summary>The owner makes another member an admin or a member again.</summary>
    public void RequireMaySetRole(Caller caller, string userId, ChannelRole role)
    {
        var callerRole = RequireMember(caller);
        RefuseInGuild();
        if (callerRole != ChannelRole.Owner)
        {
            throw Forbidden("Only the owner can change roles.");
        }

        RefuseInDirect();
        if (role is not (ChannelRole.Member or ChannelRole.Admin) || userId == caller.MemberId)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "Roles can be set to member or admin, on someone other than the owner.");
        }

        if (!channel.Members.ContainsKey(userId))
        {
            throw new ChatException(ErrorCodes.MemberNotFound, "That user is not a member.");
        }
    }

    /// <summary>Name and topic: an admin or the owner.</summary>
    public void RequireMayUpdate(Caller caller)
    {
        var role = RequireMember(caller);
        RefuseInGuild();
        if (role < ChannelRole.Admin)
        {
            throw Forbidden("Only the owner or an admin can update the channel.");
        }

        RefuseInDirect();
    }

    public void RequireMayDelete(Caller caller)
    {
        var role = RequireMember(caller);
        RefuseInGuild();
        if (role != ChannelRole.Owner)
        {
            throw Forbidden("Only the owner can delete the channel.");
        }

        RefuseInDirect();
    }

    /// <summary>Only its author edits a message, whatever their role.</summary>
    public static void RequireMayEdit(Caller caller, string authorId)
    {
        if (authorId != caller.MemberId)
        {
            throw Forbidden("Only the author can edit a message.");
        }
    }

    /// <summary>Its author, an admin or the owner deletes a message; <paramref name="callerRole"/> from <see cref="RequireMember"/>.</summary>
    public static void RequireMayDeleteMessage(Caller caller, ChannelRole callerRole, string authorId)
    {
        if (authorId != caller.MemberId && callerRole < ChannelRole.Admin)
        {
            throw Forbidden("Only the author, an admin or the owner can delete a message.");
        }
    }

    /// <summary>
    /// Deleting a message: its author; in a standalone channel an admin or the owner; in a server's
    /// channel a member with "manage messages".
    /// </summary>
    public void RequireMayDeleteMessage(Caller caller, string authorId)
    {
        var role = RequireMember(caller);
        if (!channel.IsGuildChannel)
        {
            RequireMayDeleteMessage(caller, role, authorId);
        }
        else if (authorId != caller.MemberId && !Permission.Has(GuildPermissionsOf(caller.MemberId), Permission.ManageMessages))
        {
            throw Forbidden("Only the author or a member with \"manage messages\" can delete a message.");
        }
    }

    /// <summary>A deleted account leaves every channel but those it owns, which keep their owner; a server's channels have no members of their own.</summary>
    public bool LeavesWithDeletedAccount(string userId) =>
        !channel.IsGuildChannel && HasMember(userId, out var role) && role != ChannelRole.Owner;

    private void RequireOutranks(Caller caller, string userId, bool mustBeMember)
    {
        Ids.Require(userId, "userId");
        var role = RequireMember(caller);
        RefuseInDirect();
        RefuseInGuild();
        if (role < ChannelRole.Admin)
        {
            throw Forbidden("Only the owner or an admin can remove members.");
        }

        if (userId == caller.MemberId)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "Use LeaveChannel to leave.");
        }

        if (channel.Members.TryGetValue(userId, out var targetRole))
        {
            if (targetRole >= role)
            {
                throw Forbidden("You can only remove members of a lower role.");
            }
        }
        else if (mustBeMember)
        {
            throw new ChatException(ErrorCodes.MemberNotFound, "That user is not a member.");
        }
    }

    private void RefuseInDirect()
    {
        if (channel.IsDirect)
        {
            throw Forbidden("Direct messages have no roles, invitations or settings.");
        }
    }

    private void RefuseInGuild()
    {
        if (channel.IsGuildChannel)
        {
            throw new ChatException(ErrorCodes.InvalidArgument,
                "This channel belongs to a server: membership, roles and settings are the server's (see the server methods).");
        }
    }

    private ChatException NotAMemberRefusal() =>
        channel.Exists && !channel.IsPrivate && !channel.IsGuildChannel
            ? new ChatException(ErrorCodes.NotAMember, "Join the channel first.")
            : NotFound();

    private const string NoSendReason = "You may not send messages in this channel.";

    private static ChatException NotFound() => new(ErrorCodes.ChannelNotFound, "No such channel.");

    private static ChatException Forbidden(string reason) => new(ErrorCodes.Forbidden, reason);
}
