using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Channels;
using Cryb.Guilds;
using Cryb.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Cryb.Grains.Guilds;

/// <summary>
/// A server: its structure in grain state (<see cref="GuildRecord"/>), its members, bans and invites
/// in rows (<see cref="IGuildStore"/>). Each call reads the caller's member row, asks the
/// <see cref="GuildPolicy"/>, stores the change, pushes it to the text channels' grains
/// (<see cref="GuildChannelPushes"/>) and the users' grains (<see cref="GuildUsers"/>), and
/// publishes it on the server's stream. The steps live in plain classes: member rows and their count
/// in <see cref="GuildMembers"/>, the pages members read in <see cref="MemberPages"/>, invites in
/// <see cref="GuildInvites"/>; the record and the rows take versions from one <see cref="GuildVersions"/>.
/// A server may also be the home of a standalone channel of the same id, which it adopts at the
/// channel's request (<see cref="AdoptStandaloneChannel"/>) and which anyone may join when the
/// channel was public (<see cref="JoinOpen"/>).
/// </summary>
public sealed partial class GuildGrain(
    [PersistentState("guild", StorageNames.Default)] IPersistentState<GuildRecord> state,
    IGuildStore store,
    IOptions<GuildOptions> options,
    TimeProvider time,
    ILogger<GuildGrain> logger) : Grain, IGuildGrain
{
    private IAsyncStream<GuildEvent> _events = null!;
    private GuildVersions _versions = null!;
    private GuildChannelPushes _channels = null!;
    private GuildUsers _users = null!;
    private GuildMembers _members = null!;
    private MemberPages _pages = null!;
    private GuildInvites _invites = null!;
    private GuildStateBuilder _states = null!;

    private string GuildId => this.GetPrimaryKeyString();
    private GuildRecord Guild => state.State;
    private GuildPolicy Policy => new(GuildId, state.State);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _events = this.GetStreamProvider(StreamNames.Provider).GetStream<GuildEvent>(StreamId.Create(StreamNames.Guild, GuildId));
        _versions = new GuildVersions(time);
        _channels = new GuildChannelPushes(GrainFactory, GuildId);
        _users = new GuildUsers(GrainFactory);
        _members = new GuildMembers(GuildId, store, _versions, _channels, _users, PublishAsync, time) { Removing = StoreRemovalVersionAsync };
        _pages = new MemberPages(GuildId, store, _members, time);
        _invites = new GuildInvites(GuildId, store, time);
        _states = new GuildStateBuilder(GuildId, store);
        if (Guild.Exists)
        {
            Guild.FillChannelTimes();
            await _members.LoadAsync();
            _versions.Seen(Math.Max(Math.Max(Guild.Version, Guild.RemovalVersion), await store.GetLatestMemberVersionAsync(GuildId)));
        }
    }

    public async Task<GuildState> Create(Caller caller, string name)
    {
        var validName = GuildRules.ValidateName(name, "A server name");
        if (!Guild.Exists)
        {
            Policy.RequireMayCreate();
            await _users.RequireRoomAsync(caller.MemberId);
            var version = _versions.Next();
            state.State = GuildRecord.Created(GuildId, validName, caller.MemberId, time.GetUtcNowInMicroseconds(), version);
            await state.WriteOrDeactivateAsync(this, logger);
        }
        else if (Guild.OwnerId != caller.MemberId || Guild.Name != validName)
        {
            Policy.RequireMayCreate();
        }

        // A retry of a create that failed half-way completes it: each step below is idempotent.
        var owner = await _members.AddAsync(caller.MemberId, inviteCode: null);
        await _channels.AttachAllAsync(Guild);
        await _users.SetAsync(GuildId, owner);
        LogGuildCreated(GuildId, caller.MemberId);
        return await StateForAsync(owner);
    }

    public async Task<GuildInfo> Update(Caller caller, string name)
    {
        Policy.Require(caller, await RowOfAsync(caller), Permission.ManageServer);
        Guild.Name = GuildRules.ValidateName(name, "A server name");
        await CommitAsync();
        var info = Info();
        await PublishAsync(new GuildUpdated(info));
        return info;
    }

    public async Task Delete(Caller caller)
    {
        Policy.RequireOwner(caller, await RowOfAsync(caller));
        await DeleteAsync(caller.MemberId);
    }

    private async Task DeleteAsync(string by)
    {
        // Everything outside the record first, then the record: a retry after a failure redoes
        // these idempotent steps, where a record already marked deleted would refuse it.
        await Task.WhenAll(Guild.Channels.Values.Select(_channels.DeleteAsync));
        await _members.RemoveEveryoneFromUsersAsync();
        await store.DeleteGuildAsync(GuildId);
        var version = _versions.Next();
        state.State = new GuildRecord { Deleted = true, Version = version };
        await state.WriteOrDeactivateAsync(this, logger);
        _members.Deleted();
        await _channels.RecheckVoiceAsync(null);
        await PublishAsync(new GuildDeleted(GuildId, version));
        LogGuildDeleted(GuildId, by);
    }

    public async Task<GuildInfo> TransferOwnership(Caller caller, string userId)
    {
        Policy.RequireOwner(caller, await RowOfAsync(caller));
        GuildPolicy.RequireMayTransferTo(await store.GetMemberAsync(GuildId, Ids.Require(userId, "userId")));
        if (userId != Guild.OwnerId)
        {
            Guild.OwnerId = userId;
            await CommitAsync();
            await _channels.AttachAllAsync(Guild);
            await PublishAsync(new GuildUpdated(Info()));
        }

        return Info();
    }

    public async Task<GuildState> GetState(Caller caller)
    {
        var row = await RowOfAsync(caller);
        Policy.RequireMember(caller, row);
        return await StateForAsync(row!);
    }

    public async Task<GuildChannel> CreateChannel(Caller caller, string channelId, GuildChannelSpec spec)
    {
        Ids.Require(channelId, "channelId");
        var row = await RowOfAsync(caller);
        var type = spec.Type ?? GuildChannelType.Text;
        if (Guild.Channels.TryGetValue(channelId, out var existing))
        {
            Policy.Require(caller, row, Permission.ManageChannels);
            GuildSpecs.RequireSameChannel(existing, type, spec);
            await _channels.AttachAsync(Guild, existing);
            return existing;
        }

        var actor = Policy.RequireMayCreateChannel(caller, row);
        GuildLayout.RequireValidParent(Guild, type, spec.ParentId);
        var overwrites = spec.Overwrites ?? [];
        Policy.RequireMaySetOverwrites(actor, [], overwrites);
        var channel = GuildSpecs.NewChannel(GuildId, channelId, type, spec, GuildLayout.NextPosition(Guild, spec.ParentId), overwrites, time.GetUtcNowInMicroseconds());
        Guild.Channels[channelId] = channel;
        await CommitAsync();
        try
        {
            await _channels.AttachAsync(Guild, channel);
        }
        catch (ChatException refused) when (refused.Code == ErrorCodes.ChannelExists)
        {
            // The id is another channel's (standalone, or another server's): the server must not list it.
            Guild.Channels.Remove(channelId);
            await CommitAsync();
            throw;
        }

        await PublishAsync(new GuildChannelCreated(Guild.Version, channel));
        return channel;
    }

    public async Task<GuildChannel> UpdateChannel(Caller caller, string channelId, GuildChannelSpec spec)
    {
        var actor = Policy.Require(caller, await RowOfAsync(caller), Permission.ManageChannels);
        var channel = RequireChannel(channelId);
        GuildSpecs.RequireSamePlace(channel, spec);
        if (spec.Overwrites is { } overwrites)
        {
            Policy.RequireMaySetOverwrites(actor, channel.Overwrites, overwrites);
        }

        var updated = GuildSpecs.Updated(channel, spec);
        Guild.Channels[channelId] = updated;
        await CommitAsync();
        await _channels.AttachAsync(Guild, updated);
        await PublishAsync(new GuildChannelUpdated(Guild.Version, updated));
        return updated;
    }

    public async Task<GuildChannel> MoveChannel(Caller caller, string channelId, int position, string? parentId)
    {
        Policy.Require(caller, await RowOfAsync(caller), Permission.ManageChannels);
        var channel = RequireChannel(channelId);
        GuildLayout.RequireValidParent(Guild, channel.Type, parentId);
        var changed = GuildLayout.MoveChannel(Guild, channel, position, parentId);
        if (changed.Count > 0)
        {
            await CommitAsync();
            await _channels.AttachAsync(Guild, Guild.Channels[channelId]);
            foreach (var moved in changed)
            {
                await PublishAsync(new GuildChannelUpdated(Guild.Version, moved));
            }
        }

        return Guild.Channels[channelId];
    }

    public async Task DeleteChannel(Caller caller, string channelId)
    {
        Policy.Require(caller, await RowOfAsync(caller), Permission.ManageChannels);
        var channel = RequireChannel(channelId);
        // The channel's grain first: a retry after a failed record write finds the channel still
        // listed and deletes it again (idempotent), where the reverse order would orphan its history.
        await _channels.DeleteAsync(channel);
        var moved = GuildLayout.RemoveChannel(Guild, channelId);
        await CommitAsync();
        if (channel.Type == GuildChannelType.Voice)
        {
            await _channels.RecheckVoiceAsync(null);
        }

        await PublishAsync(new GuildChannelDeleted(GuildId, Guild.Version, channelId));
        foreach (var child in moved)
        {
            await _channels.AttachAsync(Guild, child);
            await PublishAsync(new GuildChannelUpdated(Guild.Version, child));
        }
    }

    public async Task<GuildRole> CreateRole(Caller caller, RoleSpec spec)
    {
        var position = spec.Position ?? 1;
        var permissions = spec.Permissions ?? 0;
        Policy.RequireMayCreateRole(caller, await RowOfAsync(caller), permissions, position);
        var role = GuildSpecs.NewRole(spec, permissions, position);
        var changed = GuildLayout.PlaceRole(Guild, GuildId, role, position);
        await CommitAsync();
        // Its channels know which roles anyone may mention (a role mention notifies their holders).
        if (permissions != 0 || role.Mentionable)
        {
            await _channels.AttachAllAsync(Guild);
        }

        await PublishAsync(new GuildRoleCreated(GuildId, Guild.Version, Guild.Roles[role.Id]));
        await PublishRolesAsync(changed.Where(r => r.Id != role.Id));
        return Guild.Roles[role.Id];
    }

    public async Task<GuildRole> UpdateRole(Caller caller, string roleId, RoleSpec spec)
    {
        Policy.RequireMayUpdateRole(caller, await RowOfAsync(caller), roleId, spec);
        var role = Guild.Roles[roleId];
        var updated = GuildSpecs.Updated(role, spec, isEveryone: roleId == GuildId);
        Guild.Roles[roleId] = updated;
        var changed = roleId == GuildId ? [updated] : GuildLayout.PlaceRole(Guild, GuildId, updated, spec.Position ?? role.Position);
        await CommitAsync();
        if (updated.Permissions != role.Permissions || updated.Mentionable != role.Mentionable)
        {
            await _channels.AttachAllAsync(Guild);
        }

        await PublishRolesAsync(changed.Append(Guild.Roles[roleId]).DistinctBy(r => r.Id));
        return Guild.Roles[roleId];
    }

    public async Task DeleteRole(Caller caller, string roleId)
    {
        Policy.RequireMayDeleteRole(caller, await RowOfAsync(caller), roleId);
        var changed = GuildLayout.RemoveRole(Guild, GuildId, roleId);
        GuildLayout.RemoveRoleOverwrites(Guild, roleId);
        await CommitAsync();
        await store.RemoveRoleEverywhereAsync(GuildId, roleId);
        await _channels.AttachAllAsync(Guild);
        await PublishAsync(new GuildRoleDeleted(GuildId, Guild.Version, roleId));
        await PublishRolesAsync(changed);
    }

    public async Task<GuildMember> AddMemberRole(Caller caller, string userId, string roleId)
    {
        var target = await _members.TargetAsync(userId);
        Policy.RequireMayAssignRole(caller, await RowOfAsync(caller), roleId, target);
        return target!.RoleIds.Contains(roleId) ? target : await _members.SetRolesAsync(Guild, target, [.. target.RoleIds, roleId]);
    }

    public async Task<GuildMember> RemoveMemberRole(Caller caller, string userId, string roleId)
    {
        var target = await _members.TargetAsync(userId);
        Policy.RequireMayAssignRole(caller, await RowOfAsync(caller), roleId, target);
        return target!.RoleIds.Contains(roleId) ? await _members.SetRolesAsync(Guild, target, target.RoleIds.Where(id => id != roleId).ToArray()) : target;
    }

    public async Task<GuildMember> SetNickname(Caller caller, string userId, string? nickname)
    {
        var row = await RowOfAsync(caller);
        var target = userId == caller.MemberId ? row : await _members.TargetAsync(userId);
        Policy.RequireMaySetNickname(caller, row, userId, target);
        var validNickname = GuildRules.ValidateNickname(nickname);
        return validNickname == target!.Nickname ? target : await _members.SetNicknameAsync(target, validNickname);
    }

    public async Task<GuildInvite> CreateInvite(Caller caller, int maxUses, int maxAgeSeconds)
    {
        var row = await RowOfAsync(caller);
        Policy.Require(caller, row, Permission.CreateInvite);
        GuildRules.ValidateInvite(maxUses, maxAgeSeconds);
        var now = time.GetUtcNowInMicroseconds();
        Policy.RequireMayCreateInvite(caller, row, await _invites.CountOpenAsync(now));
        return await _invites.CreateAsync(Info(), caller.MemberId, maxUses, maxAgeSeconds, now);
    }

    public async Task<IReadOnlyList<GuildInvite>> GetInvites(Caller caller)
    {
        Policy.Require(caller, await RowOfAsync(caller), Permission.ManageServer);
        return await _invites.ListOpenAsync(Info());
    }

    public async Task RevokeInvite(Caller caller, string code)
    {
        var row = await RowOfAsync(caller);
        Policy.RequireMember(caller, row);
        var invite = await _invites.RequireAsync(code);
        Policy.RequireMayRevokeInvite(caller, row, invite.CreatedBy);
        await _invites.RevokeAsync(code);
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

        Policy.RequireMayJoin(await store.IsBannedAsync(GuildId, caller.MemberId), _members.Count, options.Value.MaxMembers);
        await _users.RequireRoomAsync(caller.MemberId);
        var added = await _members.AddAsync(caller.MemberId, GuildRules.IsInviteCode(code) ? code : throw GuildInvites.Invalid());
        await _users.SetAsync(GuildId, added);
        return await StateForAsync(added);
    }

    public async Task Leave(Caller caller)
    {
        Policy.RequireMayLeave(caller, await RowOfAsync(caller));
        await _members.RemoveAsync(Guild, caller.MemberId, LeaveReasons.Left);
    }

    public async Task Kick(Caller caller, string userId)
    {
        var target = await _members.TargetAsync(userId);
        Policy.RequireMayKick(caller, await RowOfAsync(caller), userId, target);
        await _members.RemoveAsync(Guild, userId, LeaveReasons.Kicked);
        LogMemberRemoved(GuildId, userId, LeaveReasons.Kicked, caller.MemberId);
    }

    public async Task Ban(Caller caller, string userId, int deleteMessageSeconds, string? reason)
    {
        var target = await _members.TargetAsync(userId);
        Policy.RequireMayBan(caller, await RowOfAsync(caller), userId, target);
        GuildRules.ValidateBan(deleteMessageSeconds, reason);
        await _members.BanAsync(Guild, userId, isMember: target is not null, caller.MemberId, deleteMessageSeconds, reason);
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
        return await _pages.QueryAsync(query, userIds, limit);
    }

    public async Task<GuildMemberPage> ListMembers(Caller caller, string? afterUserId, int limit)
    {
        Policy.RequireMember(caller, await RowOfAsync(caller));
        return await _pages.ListAsync(caller.MemberId, afterUserId, limit);
    }

    public async Task<int> ImportMembers(Caller caller, IReadOnlyList<string> userIds)
    {
        Policy.RequireMayImport(caller);
        var wanted = userIds.Distinct().Select(id => Ids.Require(id, "userId")).ToArray();
        GuildPolicy.RequireRoomForMembers(_members.Count, wanted.Length, options.Value.MaxMembers);
        return await _members.ImportAsync(wanted);
    }

    public async Task<AdoptedChannel> AdoptStandaloneChannel(StandaloneChannel channel)
    {
        if (channel.ChannelId != GuildId)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "A standalone channel moves into the server of its own id.");
        }

        if (!Guild.Exists)
        {
            Policy.RequireMayCreate(); // a server deleted under this id stays deleted
            var adminRoleId = channel.AdminIds.Count > 0 ? StandaloneAdoption.AdminRoleId(GuildId) : null;
            var version = _versions.Next();
            // Rows first, the record last: a retry after a failure finds no record and writes the
            // rows again (they skip those present), where a record written first would hide the gap.
            await _members.AdoptAsync(channel, adminRoleId, version);
            state.State = GuildRecord.Adopted(channel, adminRoleId, version);
            await state.WriteOrDeactivateAsync(this, logger);
            await _members.LoadAsync();
            LogChannelAdopted(GuildId, channel.MemberIds.Count, channel.BannedIds.Count);
        }

        var text = RequireChannel(GuildId);
        var admins = StandaloneAdoption.AdminRoleId(GuildId);
        return new AdoptedChannel(new GuildChannelAccess(text, Guild.AccessOf(GuildId, text)),
            Guild.Roles.ContainsKey(admins) ? admins : null, Guild.AdoptedVersion);
    }

    public async Task<GuildMember> JoinOpen(string memberId)
    {
        Policy.RequireExists();
        if (!Guild.OpenToAll)
        {
            throw new ChatException(ErrorCodes.GuildNotFound, "No such server.");
        }

        if (await store.GetMemberAsync(GuildId, memberId) is { } member)
        {
            await _users.SetAsync(GuildId, member);
            return member;
        }

        Policy.RequireMayJoin(await store.IsBannedAsync(GuildId, memberId), _members.Count, options.Value.MaxMembers);
        await _users.RequireRoomAsync(memberId);
        var added = await _members.AddAsync(memberId, inviteCode: null);
        await _users.SetAsync(GuildId, added);
        return added;
    }

    /// <summary>
    /// A member's account was deleted: their row goes. The owner's passes the server first to the
    /// next-ranked member (highest role, then longest-standing), or closes it when nobody is left:
    /// a server must never be owned by an account that can no longer act.
    /// </summary>
    public async Task RemoveDeletedAccount(string userId)
    {
        if (Guild.Exists && userId == Guild.OwnerId)
        {
            var roles = Guild.OrderedRoles().Where(role => role.Id != GuildId).Select(role => role.Id).ToArray();
            if (await store.FindHeirAsync(GuildId, userId, roles) is not { } heir)
            {
                await DeleteAsync(userId);
                return;
            }

            Guild.OwnerId = heir;
            await CommitAsync();
            await _channels.AttachAllAsync(Guild);
            await PublishAsync(new GuildUpdated(Info()));
            LogOwnershipInherited(GuildId, userId, heir);
        }

        await _members.RemoveAccountAsync(Guild, userId);
    }

    public Task<GuildView?> GetView(ServiceCredential gateway) =>
        Task.FromResult(Guild.Exists ? new GuildView(Info(), Guild.OrderedRoles(), Guild.OrderedChannels()) { LastVersion = _versions.Last } : null);

    public Task<GuildInfo?> GetInfo() => Task.FromResult(Guild.Exists ? Info() : null);

    public Task<GuildChannelAccess?> GetChannelAccess(string channelId) =>
        Task.FromResult(Guild.Exists && Guild.Channels.TryGetValue(channelId, out var channel)
            ? new GuildChannelAccess(channel, Guild.AccessOf(GuildId, channel))
            : null);

    /// <summary>Stores a structural change under a new version.</summary>
    private async Task CommitAsync()
    {
        Guild.Version = _versions.Next();
        await state.WriteOrDeactivateAsync(this, logger);
    }

    /// <summary>A member removal's version, stored before the row goes (<see cref="GuildRecord.RemovalVersion"/>).</summary>
    private async Task StoreRemovalVersionAsync(long version)
    {
        Guild.RemovalVersion = version;
        await state.WriteOrDeactivateAsync(this, logger);
    }

    private GuildChannel RequireChannel(string channelId) =>
        Guild.Channels.GetValueOrDefault(channelId) ?? throw new ChatException(ErrorCodes.ChannelNotFound, "No such channel in this server.");

    private Task<GuildMember?> RowOfAsync(Caller caller) =>
        Guild.Exists ? store.GetMemberAsync(GuildId, caller.MemberId) : Task.FromResult<GuildMember?>(null);

    private GuildInfo Info() => new(GuildId, Guild.Name, Guild.OwnerId, Guild.CreatedAt, _members.Count, Guild.Version);

    private Task<GuildState> StateForAsync(GuildMember member) => _states.ForAsync(Guild, Info(), member);

    private Task PublishAsync(GuildEvent change) => _events.OnNextAsync(change);

    private async Task PublishRolesAsync(IEnumerable<GuildRole> roles)
    {
        foreach (var role in roles)
        {
            await PublishAsync(new GuildRoleUpdated(GuildId, Guild.Version, role));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Server {GuildId} created by {UserId}")]
    private partial void LogGuildCreated(string guildId, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Server {GuildId} adopted its standalone channel: {Members} members, {Bans} bans")]
    private partial void LogChannelAdopted(string guildId, int members, int bans);

    [LoggerMessage(Level = LogLevel.Information, Message = "Server {GuildId} deleted by {UserId}")]
    private partial void LogGuildDeleted(string guildId, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Server {GuildId}: its owner {OwnerId}'s account was deleted; {HeirId} owns it now")]
    private partial void LogOwnershipInherited(string guildId, string ownerId, string heirId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Server {GuildId}: {UserId} {Reason} by {ByUserId}")]
    private partial void LogMemberRemoved(string guildId, string userId, string reason, string byUserId);
}
