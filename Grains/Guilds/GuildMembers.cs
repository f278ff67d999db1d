using Cryb.Channels;
using Cryb.Grains.Channels;
using Cryb.Guilds;

namespace Cryb.Grains.Guilds;

/// <summary>
/// A server's member rows (<see cref="IGuildStore"/>) and their count, and the steps that follow
/// each change of a row: its text channels' grains (<see cref="GuildChannelPushes"/>), the user's
/// grain (<see cref="GuildUsers"/>) and the server's stream hear of it. The server's grain has
/// authorized the change; the count is counted on activation and kept here.
/// </summary>
internal sealed class GuildMembers(
    string guildId,
    IGuildStore store,
    GuildVersions versions,
    GuildChannelPushes channels,
    GuildUsers users,
    Func<GuildEvent, Task> publish,
    TimeProvider time)
{
    /// <summary>User grains told of an import at once: enough to overlap their state writes, few enough not to crowd out other calls.</summary>
    private const int ImportNoticesInFlight = 64;

    public int Count { get; private set; }

    /// <summary>
    /// Stores a removal's version before anything else of the removal happens (the server's record
    /// keeps it: the row, deleted, cannot). If a later step fails, the version stored is one no
    /// change kept, which only makes a resuming client read the server again.
    /// </summary>
    public Func<long, Task> Removing { get; init; } = _ => Task.CompletedTask;

    public async Task LoadAsync() => Count = await store.CountMembersAsync(guildId);

    /// <summary>The row of the user a call names (a malformed id is refused), or null if they are no member.</summary>
    public Task<GuildMember?> TargetAsync(string userId) => store.GetMemberAsync(guildId, GuildRules.RequireMemberId(userId));

    /// <summary>
    /// Adds the member row (with the invite's use) and returns it, or the row they already had:
    /// a retry of a create or join that failed half-way goes on from here.
    /// </summary>
    public async Task<GuildMember> AddAsync(string memberId, string? inviteCode)
    {
        var now = time.GetUtcNowInMicroseconds();
        var member = new GuildMember(memberId, await users.DisplayNameAsync(memberId), null, [], now, versions.Next());
        switch (await store.AddMemberAsync(guildId, member, inviteCode, now))
        {
            case InviteUse.Refused:
                throw GuildInvites.Invalid();
            case InviteUse.AlreadyMember:
                return (await store.GetMemberAsync(guildId, memberId))!;
        }

        Count++;
        await publish(new GuildMemberAdded(guildId, member));
        return member;
    }

    /// <summary>
    /// Adds rows named by their ids, tells their user grains, and announces them on the server's
    /// stream; how many were new. A server that stays small gets a <see cref="GuildMemberAdded"/> per
    /// member, as joins give it, so the gateways' and clients' full member lists stay whole; one that
    /// ends large gets a single <see cref="GuildMembersImported"/> with the count: thousands of events
    /// would flood every member's connections with members their lists do not keep anyway.
    /// </summary>
    public async Task<int> ImportAsync(IReadOnlyList<string> userIds)
    {
        var now = time.GetUtcNowInMicroseconds();
        var version = versions.Next();
        // Named by their ids: asking each user grain for a display name would double the calls.
        GuildMember Imported(string userId) => new(userId, userId, null, [], now, version);
        var added = await store.ImportMembersAsync(guildId, userIds.Select(Imported).ToArray());
        Count += added.Count;
        // Each imported user's own list of servers learns of it, as a join's does: their Ready lists
        // the server and their connected devices are told now. In slices, so a call of thousands
        // keeps a bounded number of user grain calls in flight.
        foreach (var slice in added.Chunk(ImportNoticesInFlight))
        {
            await Task.WhenAll(slice.Select(userId => users.SetAsync(guildId, Imported(userId))));
        }

        if (added.Count == 0)
        {
            return 0;
        }

        if (Count <= GuildLimits.LargeThreshold)
        {
            foreach (var userId in added)
            {
                await publish(new GuildMemberAdded(guildId, Imported(userId)));
            }
        }
        else
        {
            await publish(new GuildMembersImported(guildId, version, Count, added.Count));
        }

        return added.Count;
    }

    /// <summary>
    /// A standalone channel's members and bans as rows of the server it moves into: one bulk insert
    /// (skipping rows present), under the members' display names, the admins with
    /// <paramref name="adminRoleId"/>; the bans one upsert each (a channel has few). The user grains
    /// are the channel's to tell, in the same write that drops the channel from their list.
    /// </summary>
    public async Task AdoptAsync(StandaloneChannel channel, string? adminRoleId, long version)
    {
        var now = time.GetUtcNowInMicroseconds();
        foreach (var ban in channel.BannedIds)
        {
            await store.AddBanAsync(guildId, new GuildBan(ban, channel.OwnerId, "", now));
        }

        var admins = channel.AdminIds.ToHashSet(StringComparer.Ordinal);
        var rows = new List<GuildMember>(channel.MemberIds.Count);
        foreach (var slice in channel.MemberIds.Chunk(ImportNoticesInFlight))
        {
            var names = await Task.WhenAll(slice.Select(users.DisplayNameAsync));
            rows.AddRange(slice.Select((userId, i) => new GuildMember(userId, names[i], null,
                adminRoleId is not null && admins.Contains(userId) ? [adminRoleId] : [], now, version)));
        }

        await store.AddMissingMembersAsync(guildId, rows);
    }

    public async Task<GuildMember> SetRolesAsync(GuildRecord guild, GuildMember member, IReadOnlyList<string> roleIds)
    {
        var updated = member with { RoleIds = roleIds, Version = versions.Next() };
        await store.UpdateMemberAsync(guildId, updated);
        await channels.SetMemberAsync(guild, updated.UserId, roleIds, updated.Version);
        await users.SetAsync(guildId, updated);
        await publish(new GuildMemberUpdated(guildId, updated));
        return updated;
    }

    public async Task<GuildMember> SetNicknameAsync(GuildMember member, string? nickname)
    {
        // Name is what queries match: the nickname, else the user's display name as of now.
        var updated = member with
        {
            Nickname = nickname,
            Name = nickname ?? await users.DisplayNameAsync(member.UserId),
            Version = versions.Next(),
        };
        await store.UpdateMemberAsync(guildId, updated);
        await channels.ForgetVoiceMemberAsync(updated.UserId);
        await publish(new GuildMemberUpdated(guildId, updated));
        return updated;
    }

    /// <summary>Bans the user (stored first), removes them if <paramref name="isMember"/>, and deletes their recent messages.</summary>
    public async Task BanAsync(GuildRecord guild, string userId, bool isMember, string byUserId, int deleteMessageSeconds, string? reason)
    {
        var now = time.GetUtcNowInMicroseconds();
        await store.AddBanAsync(guildId, new GuildBan(userId, byUserId, reason?.Trim() ?? "", now));
        if (isMember)
        {
            await RemoveAsync(guild, userId, LeaveReasons.Banned);
        }

        if (deleteMessageSeconds > 0)
        {
            await channels.DeleteMessagesByAsync(guild, userId, now.AddSeconds(-deleteMessageSeconds));
        }
    }

    public async Task RemoveAsync(GuildRecord guild, string userId, string reason)
    {
        // The channels and the user's grain first, the row last: if a push fails, the row is still
        // there, so the caller's retry passes the same checks and completes the removal; meanwhile
        // the member is already shut out of the channels that heard (they fail closed).
        var version = versions.Next();
        await Removing(version);
        await channels.SetMemberAsync(guild, userId, null, version);
        await users.RemoveAsync(guildId, userId, reason);
        if (await store.RemoveMemberAsync(guildId, userId))
        {
            Count--;
        }

        await channels.RecheckVoiceAsync(userId);
        await publish(new GuildMemberRemoved(guildId, version, userId, reason));
    }

    /// <summary>A deleted account leaves the server, or (no member) at least the user grain's list of servers.</summary>
    public async Task RemoveAccountAsync(GuildRecord guild, string userId)
    {
        if (guild.Exists && await store.GetMemberAsync(guildId, userId) is not null)
        {
            await RemoveAsync(guild, userId, LeaveReasons.AccountDeleted);
        }
        else
        {
            // Not (or no longer) a member: the user grain keeps the server listed until told.
            await users.RemoveAsync(guildId, userId, LeaveReasons.AccountDeleted);
        }
    }

    /// <summary>The server is being deleted: every member's user grain drops it, page by page of rows.</summary>
    public async Task RemoveEveryoneFromUsersAsync()
    {
        for (string? after = null; ;)
        {
            var page = await store.ListMembersAsync(guildId, after, GuildLimits.MaxMembersPerChunk);
            await Task.WhenAll(page.Select(member => users.RemoveAsync(guildId, member.UserId, LeaveReasons.Deleted)));
            if (page.Count < GuildLimits.MaxMembersPerChunk)
            {
                break;
            }

            after = page[^1].UserId;
        }
    }

    /// <summary>The server's rows are deleted with it.</summary>
    public void Deleted() => Count = 0;
}
