using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Channels;
using Cryb.Guilds;
using Cryb.Identity;

namespace Cryb.Grains.Guilds;

/// <summary>The server's members, invites and bans: rows in the <see cref="IGuildStore"/>.</summary>
public sealed partial class GuildGrain
{
    public async Task<GuildMember> AddMemberRole(Caller caller, string userId, string roleId)
    {
        var target = await store.GetMemberAsync(GuildId, GuildRules.RequireMemberId(userId));
        Policy.RequireMayAssignRole(caller, await RowOfAsync(caller), roleId, target);
        return target!.RoleIds.Contains(roleId) ? target : await SetRolesAsync(target, [.. target.RoleIds, roleId]);
    }

    public async Task<GuildMember> RemoveMemberRole(Caller caller, string userId, string roleId)
    {
        var target = await store.GetMemberAsync(GuildId, GuildRules.RequireMemberId(userId));
        Policy.RequireMayAssignRole(caller, await RowOfAsync(caller), roleId, target);
        return target!.RoleIds.Contains(roleId) ? await SetRolesAsync(target, target.RoleIds.Where(id => id != roleId).ToArray()) : target;
    }

    public async Task<GuildMember> SetNickname(Caller caller, string userId, string? nickname)
    {
        var row = await RowOfAsync(caller);
        var target = userId == caller.MemberId ? row : await store.GetMemberAsync(GuildId, GuildRules.RequireMemberId(userId));
        Policy.RequireMaySetNickname(caller, row, userId, target);
        var validNickname = GuildRules.ValidateNickname(nickname);
        if (validNickname == target!.Nickname)
        {
            return target;
        }

        // Name is what queries match: the nickname, else the user's display name as of now.
        var updated = target with
        {
            Nickname = validNickname,
            Name = validNickname ?? await _users.DisplayNameAsync(target.UserId),
            Version = NextVersion(),
        };
        await store.UpdateMemberAsync(GuildId, updated);
        await PublishAsync(new GuildMemberUpdated(GuildId, updated));
        return updated;
    }

    public async Task<GuildInvite> CreateInvite(Caller caller, int maxUses, int maxAgeSeconds)
    {
        var row = await RowOfAsync(caller);
        Policy.Require(caller, row, Permission.CreateInvite);
        GuildRules.ValidateInvite(maxUses, maxAgeSeconds);
        var now = time.GetUtcNowInMicroseconds();
        Policy.RequireMayCreateInvite(caller, row, (await store.ListOpenInvitesAsync(GuildId, now)).Count);
        var invite = new GuildInvite(GuildRules.NewInviteCode(), GuildId, Guild.Name, caller.MemberId, maxUses, 0,
            maxAgeSeconds > 0 ? now.AddSeconds(maxAgeSeconds) : null, now, _memberCount);
        await store.AddInviteAsync(invite);
        return invite;
    }

    public async Task<IReadOnlyList<GuildInvite>> GetInvites(Caller caller)
    {
        Policy.Require(caller, await RowOfAsync(caller), Permission.ManageServer);
        return (await store.ListOpenInvitesAsync(GuildId, time.GetUtcNow())).Select(Described).ToArray();
    }

    public async Task RevokeInvite(Caller caller, string code)
    {
        var row = await RowOfAsync(caller);
        Policy.RequireMember(caller, row);
        var stored = GuildRules.IsInviteCode(code) ? await store.GetInviteAsync(code) : null;
        if (stored is null || stored.Invite.GuildId != GuildId)
        {
            throw new ChatException(ErrorCodes.InviteInvalid, "No such invite in this server.");
        }

        Policy.RequireMayRevokeInvite(caller, row, stored.Invite.CreatedBy);
        await store.RevokeInviteAsync(GuildId, code);
    }

    public async Task<GuildState> Join(Caller caller, string code)
    {
        Policy.RequireExists();
        if (await store.GetMemberAsync(GuildId, caller.MemberId) is { } member)
        {
            // A retry of a join whose word to the user grain failed completes it (same version: a no-op otherwise).
            await _users.SetAsync(GuildId, member);
            return await StateForAsync(member);
        }

        Policy.RequireMayJoin(await store.IsBannedAsync(GuildId, caller.MemberId), _memberCount, options.Value.MaxMembers);
        await _users.RequireRoomAsync(caller.MemberId);
        var added = await AddMemberAsync(caller.MemberId, GuildRules.IsInviteCode(code) ? code : throw InviteInvalid())
            ?? (await store.GetMemberAsync(GuildId, caller.MemberId))!;
        await _users.SetAsync(GuildId, added);
        return await StateForAsync(added);
    }

    public async Task Leave(Caller caller)
    {
        Policy.RequireMayLeave(caller, await RowOfAsync(caller));
        await RemoveMemberAsync(caller.MemberId, LeaveReasons.Left);
    }

    public async Task Kick(Caller caller, string userId)
    {
        var target = await store.GetMemberAsync(GuildId, GuildRules.RequireMemberId(userId));
        Policy.RequireMayKick(caller, await RowOfAsync(caller), userId, target);
        await RemoveMemberAsync(userId, LeaveReasons.Kicked);
        LogMemberRemoved(GuildId, userId, LeaveReasons.Kicked, caller.MemberId);
    }

    public async Task Ban(Caller caller, string userId, int deleteMessageSeconds, string? reason)
    {
        var target = await store.GetMemberAsync(GuildId, GuildRules.RequireMemberId(userId));
        Policy.RequireMayBan(caller, await RowOfAsync(caller), userId, target);
        GuildRules.ValidateBan(deleteMessageSeconds, reason);
        var now = time.GetUtcNowInMicroseconds();
        await store.AddBanAsync(GuildId, new GuildBan(userId, caller.MemberId, reason?.Trim() ?? "", now));
        if (target is not null)
        {
            await RemoveMemberAsync(userId, LeaveReasons.Banned);
        }

        if (deleteMessageSeconds > 0)
        {
            await _channels.DeleteMessagesByAsync(Guild, userId, now.AddSeconds(-deleteMessageSeconds));
        }

        LogMemberRemoved(GuildId, userId, LeaveReasons.Banned, caller.MemberId);
    }

    public async Task Unban(Caller caller, string userId)
    {
        Policy.Require(caller, await RowOfAsync(caller), Permission.BanMembers);
        await store.RemoveBanAsync(GuildId, GuildRules.RequireMemberId(userId));
    }

    public async Task<IReadOnlyList<GuildBan>> GetBans(Caller caller, string? afterUserId)
    {
        Policy.Require(caller, await RowOfAsync(caller), Permission.BanMembers);
        return await store.ListBansAsync(GuildId, afterUserId, GuildLimits.MaxBansPage);
    }

    public async Task<GuildMemberPage> QueryMembers(Caller caller, string? query, IReadOnlyList<string>? userIds, int limit)
    {
        Policy.RequireMember(caller, await RowOfAsync(caller));
        limit = Math.Clamp(limit, 1, GuildLimits.MaxQueriedMembers);
        if (userIds is not null)
        {
            var wanted = userIds.Distinct().ToArray();
            if (wanted.Length > GuildLimits.MaxQueriedMembers || !wanted.All(GuildRules.IsMemberId))
            {
                throw new ChatException(ErrorCodes.InvalidArgument, $"At most {GuildLimits.MaxQueriedMembers} valid user ids.");
            }

            var found = await store.GetMembersAsync(GuildId, wanted);
            return new GuildMemberPage(found, wanted.Except(found.Select(m => m.UserId)).ToArray(), _memberCount);
        }

        if (query is null || query.Length > GuildLimits.MaxNameLength)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "Query members by a name prefix or by user ids.");
        }

        return new GuildMemberPage(await store.QueryMembersAsync(GuildId, query, limit), [], _memberCount);
    }

    public async Task<GuildMemberPage> ListMembers(Caller caller, string? afterUserId, int limit)
    {
        Policy.RequireMember(caller, await RowOfAsync(caller));
        if (afterUserId is null)
        {
            _listings.Start(caller.MemberId);
        }
        else
        {
            _listings.RequireStarted(caller.MemberId);
        }

        var page = await store.ListMembersAsync(GuildId, afterUserId, Math.Clamp(limit, 1, GuildLimits.MaxMembersPerChunk));
        return new GuildMemberPage(page, [], _memberCount);
    }

    public async Task<int> ImportMembers(Caller caller, IReadOnlyList<string> userIds)
    {
        // The silos' filter has checked the service's grant; users import nobody.
        if (caller.Kind != CallerKind.Service)
        {
            throw new ChatException(ErrorCodes.Forbidden, "Only a backend service imports members.");
        }

        Policy.RequireExists();
        var wanted = userIds.Distinct().Select(id => Ids.Require(id, "userId")).ToArray();
        GuildPolicy.RequireRoomForMembers(_memberCount, wanted.Length, options.Value.MaxMembers);
        var now = time.GetUtcNowInMicroseconds();
        var version = NextVersion();
        // Named by their ids: the bulk path asks no user grain (it would cost a call per member).
        var added = await store.ImportMembersAsync(GuildId, wanted.Select(id => new GuildMember(id, id, null, [], now, version)).ToArray());
        _memberCount += added;
        return added;
    }

    public async Task RemoveDeletedAccount(string userId)
    {
        if (Guild.Exists && userId == Guild.OwnerId)
        {
            return;
        }

        if (Guild.Exists && await store.GetMemberAsync(GuildId, userId) is not null)
        {
            await RemoveMemberAsync(userId, LeaveReasons.AccountDeleted);
        }
        else
        {
            // Not (or no longer) a member: the user grain keeps the server listed until told.
            await _users.RemoveAsync(GuildId, userId, LeaveReasons.AccountDeleted);
        }
    }

    /// <summary>Adds the member row (with the invite's use); the new member, or null if they already were one.</summary>
    private async Task<GuildMember?> AddMemberAsync(string memberId, string? inviteCode)
    {
        var now = time.GetUtcNowInMicroseconds();
        var member = new GuildMember(memberId, await _users.DisplayNameAsync(memberId), null, [], now, NextVersion());
        switch (await store.AddMemberAsync(GuildId, member, inviteCode, now))
        {
            case InviteUse.Refused:
                throw InviteInvalid();
            case InviteUse.AlreadyMember:
                return null;
        }

        _memberCount++;
        await PublishAsync(new GuildMemberAdded(GuildId, member));
        return member;
    }

    private async Task<GuildMember> SetRolesAsync(GuildMember member, IReadOnlyList<string> roleIds)
    {
        var updated = member with { RoleIds = roleIds, Version = NextVersion() };
        await store.UpdateMemberAsync(GuildId, updated);
        await _channels.SetMemberAsync(Guild, updated.UserId, roleIds, updated.Version);
        await _users.SetAsync(GuildId, updated);
        await PublishAsync(new GuildMemberUpdated(GuildId, updated));
        return updated;
    }

    private async Task RemoveMemberAsync(string userId, string reason)
    {
        if (await store.RemoveMemberAsync(GuildId, userId))
        {
            _memberCount--;
        }

        // Told even if the row was already gone: a retry after a failed push reaches everyone.
        var version = NextVersion();
        await _channels.SetMemberAsync(Guild, userId, null, version);
        await _users.RemoveAsync(GuildId, userId, reason);
        await PublishAsync(new GuildMemberRemoved(GuildId, version, userId, reason));
    }

    private GuildInvite Described(GuildInvite invite) => invite with { GuildName = Guild.Name, MemberCount = _memberCount };

    private static ChatException InviteInvalid() => new(ErrorCodes.InviteInvalid, "This invite is unknown, expired, used up or revoked.");
}
