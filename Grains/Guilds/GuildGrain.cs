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
/// publishes it on the server's stream. Structure calls live here; member calls in the second part.
/// </summary>
public sealed partial class GuildGrain(
    [PersistentState("guild", StorageNames.Default)] IPersistentState<GuildRecord> state,
    IGuildStore store,
    IOptions<GuildOptions> options,
    TimeProvider time,
    ILogger<GuildGrain> logger) : Grain, IGuildGrain
{
    private IAsyncStream<GuildEvent> _events = null!;
    private GuildChannelPushes _channels = null!;
    private GuildUsers _users = null!;
    private MemberListings _listings = null!;
    private int _memberCount;
    private long _lastVersion;

    private string GuildId => this.GetPrimaryKeyString();
    private GuildRecord Guild => state.State;
    private GuildPolicy Policy => new(GuildId, state.State);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _events = this.GetStreamProvider(StreamNames.Provider).GetStream<GuildEvent>(StreamId.Create(StreamNames.Guild, GuildId));
        _channels = new GuildChannelPushes(GrainFactory, GuildId);
        _users = new GuildUsers(GrainFactory);
        _listings = new MemberListings(time);
        if (Guild.Exists)
        {
            _memberCount = await store.CountMembersAsync(GuildId);
            _lastVersion = Math.Max(Guild.Version, await store.GetLatestMemberVersionAsync(GuildId));
        }
    }

    public async Task<GuildState> Create(Caller caller, string name)
    {
        var validName = GuildRules.ValidateName(name, "A server name");
        if (!Guild.Exists)
        {
            Policy.RequireMayCreate();
            await _users.RequireRoomAsync(caller.MemberId);
            var version = NextVersion();
            var general = new GuildChannel(Ids.NewChannelId(), GuildId, GuildChannelType.Text, "general", "", null, 0, 0, []);
            state.State = new GuildRecord
            {
                Exists = true,
                Name = validName,
                OwnerId = caller.MemberId,
                CreatedAt = time.GetUtcNowInMicroseconds(),
                Version = version,
                Roles = { [GuildId] = new GuildRole(GuildId, "@everyone", Permission.EveryoneDefault, 0, false) },
                Channels = { [general.Id] = general },
            };
            await state.WriteOrDeactivateAsync(this, logger);
        }
        else if (Guild.OwnerId != caller.MemberId || Guild.Name != validName)
        {
            Policy.RequireMayCreate();
        }

        // A retry of a create that failed half-way completes it: each step below is idempotent.
        var owner = await AddMemberAsync(caller.MemberId, inviteCode: null) ?? (await store.GetMemberAsync(GuildId, caller.MemberId))!;
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
        // Everything outside the record first, then the record: a retry after a failure redoes
        // these idempotent steps, where a record already marked deleted would refuse it.
        await Task.WhenAll(Guild.Channels.Values.Select(_channels.DeleteAsync));
        for (string? after = null; ;)
        {
            var page = await store.ListMembersAsync(GuildId, after, GuildLimits.MaxMembersPerChunk);
            await Task.WhenAll(page.Select(member => _users.RemoveAsync(GuildId, member.UserId, LeaveReasons.Deleted)));
            if (page.Count < GuildLimits.MaxMembersPerChunk)
            {
                break;
            }

            after = page[^1].UserId;
        }

        await store.DeleteGuildAsync(GuildId);
        var version = NextVersion();
        state.State = new GuildRecord { Deleted = true, Version = version };
        await state.WriteOrDeactivateAsync(this, logger);
        _memberCount = 0;
        await PublishAsync(new GuildDeleted(GuildId, version));
        LogGuildDeleted(GuildId, caller.MemberId);
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
            if (existing.Type != type || existing.Name != GuildRules.ValidateName(spec.Name, "A channel name") || existing.ParentId != spec.ParentId)
            {
                throw new ChatException(ErrorCodes.ChannelExists, "A channel with this id already exists.");
            }

            await _channels.AttachAsync(Guild, existing);
            return existing;
        }

        var actor = Policy.RequireMayCreateChannel(caller, row);
        GuildLayout.RequireValidParent(Guild, type, spec.ParentId);
        var overwrites = spec.Overwrites ?? [];
        Policy.RequireMaySetOverwrites(actor, [], overwrites);
        var channel = new GuildChannel(channelId, GuildId, type, GuildRules.ValidateName(spec.Name, "A channel name"),
            ChannelRules.ValidateTopic(spec.Topic), spec.ParentId, GuildLayout.NextPosition(Guild, spec.ParentId),
            GuildRules.ValidateUserLimit(spec.UserLimit ?? 0), overwrites.ToArray());
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
        if (spec.Type is { } type && type != channel.Type || spec.ParentId is { } parentId && parentId != channel.ParentId)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "A channel's type cannot change, and MoveGuildChannel moves it.");
        }

        if (spec.Overwrites is { } overwrites)
        {
            Policy.RequireMaySetOverwrites(actor, channel.Overwrites, overwrites);
        }

        var updated = channel with
        {
            Name = spec.Name is null ? channel.Name : GuildRules.ValidateName(spec.Name, "A channel name"),
            Topic = spec.Topic is null ? channel.Topic : ChannelRules.ValidateTopic(spec.Topic),
            UserLimit = spec.UserLimit is { } limit ? GuildRules.ValidateUserLimit(limit) : channel.UserLimit,
            Overwrites = spec.Overwrites?.ToArray() ?? channel.Overwrites,
        };
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
        var role = new GuildRole(Ids.NewChannelId(), GuildRules.ValidateName(spec.Name ?? "new role", "A role name"), permissions, position, spec.Mentionable ?? false);
        var changed = GuildLayout.PlaceRole(Guild, GuildId, role, position);
        await CommitAsync();
        if (permissions != 0)
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
        var updated = role with
        {
            Name = spec.Name is null || roleId == GuildId ? role.Name : GuildRules.ValidateName(spec.Name, "A role name"),
            Permissions = spec.Permissions ?? role.Permissions,
            Mentionable = spec.Mentionable ?? role.Mentionable,
        };
        Guild.Roles[roleId] = updated;
        var changed = roleId == GuildId ? [updated] : GuildLayout.PlaceRole(Guild, GuildId, updated, spec.Position ?? role.Position);
        await CommitAsync();
        if (updated.Permissions != role.Permissions)
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
        foreach (var channel in Guild.Channels.Values.Where(c => c.Overwrites.Any(o => o.Kind == OverwriteKind.Role && o.Id == roleId)).ToArray())
        {
            Guild.Channels[channel.Id] = channel with { Overwrites = channel.Overwrites.Where(o => o.Kind != OverwriteKind.Role || o.Id != roleId).ToArray() };
        }

        await CommitAsync();
        await store.RemoveRoleEverywhereAsync(GuildId, roleId);
        await _channels.AttachAllAsync(Guild);
        await PublishAsync(new GuildRoleDeleted(GuildId, Guild.Version, roleId));
        await PublishRolesAsync(changed);
    }

    public Task<GuildView?> GetView(ServiceCredential gateway) =>
        Task.FromResult(Guild.Exists ? new GuildView(Info(), Guild.OrderedRoles(), Guild.OrderedChannels()) : null);

    public Task<GuildInfo?> GetInfo() => Task.FromResult(Guild.Exists ? Info() : null);

    public Task<GuildChannelAccess?> GetChannelAccess(string channelId) =>
        Task.FromResult(Guild.Exists && Guild.Channels.TryGetValue(channelId, out var channel)
            ? new GuildChannelAccess(channel, Guild.AccessOf(GuildId, channel))
            : null);

    /// <summary>The next version of the server: above every one given before, and the time in microseconds when that is higher.</summary>
    private long NextVersion()
    {
        var micros = (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        return _lastVersion = Math.Max(_lastVersion + 1, micros);
    }

    /// <summary>Stores a structural change under a new version.</summary>
    private async Task CommitAsync()
    {
        Guild.Version = NextVersion();
        await state.WriteOrDeactivateAsync(this, logger);
    }

    private GuildChannel RequireChannel(string channelId) =>
        Guild.Channels.GetValueOrDefault(channelId) ?? throw new ChatException(ErrorCodes.ChannelNotFound, "No such channel in this server.");

    private Task<GuildMember?> RowOfAsync(Caller caller) =>
        Guild.Exists ? store.GetMemberAsync(GuildId, caller.MemberId) : Task.FromResult<GuildMember?>(null);

    private GuildInfo Info() => new(GuildId, Guild.Name, Guild.OwnerId, Guild.CreatedAt, _memberCount, Guild.Version);

    /// <summary>The server as <paramref name="member"/> sees it: the channels they can view; every member unless it is large.</summary>
    private async Task<GuildState> StateForAsync(GuildMember member)
    {
        var channels = Guild.OrderedChannels().Where(c => GuildPermissions.CanView(Guild.AccessOf(GuildId, c), member.UserId, member.RoleIds)).ToArray();
        var large = _memberCount > GuildLimits.LargeThreshold;
        var members = large ? [member] : await store.ListMembersAsync(GuildId, null, GuildLimits.LargeThreshold);
        return new GuildState(Info(), Guild.OrderedRoles(), channels, member, members, large);
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Server {GuildId} deleted by {UserId}")]
    private partial void LogGuildDeleted(string guildId, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Server {GuildId}: {UserId} {Reason} by {ByUserId}")]
    private partial void LogMemberRemoved(string guildId, string userId, string reason, string byUserId);
}
