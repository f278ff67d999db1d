using Cryb.Grains.Streaming;
using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Relationships;
using Cryb.Grains.Storage;
using Cryb.Relationships;
using Cryb.Grains.Guilds;
using Cryb.Grains.Limits;
using Cryb.Grains.Messages;
using Cryb.Grains.Notifications;
using Cryb.Grains.Telemetry;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Notifications;
using Cryb.Typing;
using Cryb.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Cryb.Grains.Channels;

/// <summary>
/// A channel: its membership and roles in grain state, its messages in the <see cref="ChannelLog"/>.
/// Each call asks the <see cref="ChannelPolicy"/> whether the caller may, changes the state or the
/// log, and publishes what changed. Calls run one at a time, except sends (and the read-only
/// <c>IsMember</c>): a send only queues on the log and waits, so that sends are committed in
/// groups, and every other call runs between two send batches (<see cref="Invoke"/>).
/// A server's text channel takes its permission inputs from the server's grain, which pushes each
/// change here (<see cref="AttachToGuild"/>, <see cref="SetGuildMember"/>), and reads a caller's
/// roles from the server's member rows once per activation (<see cref="GuildMemberRoles"/>).
/// Every channel but a direct message belongs to a server: <see cref="Create"/> without one makes a
/// server of its own (same id), by the move that a channel created before servers existed takes
/// before the first call of the activation that finds it standalone runs (<see cref="ChannelMigration"/>);
/// its old membership methods then act on that server (<see cref="ThroughOwnServerAsync{T}"/>).
/// </summary>
public sealed partial class ChannelGrain(
    [PersistentState("channel", StorageNames.Default)] IPersistentState<ChannelState> state,
    IMessageStore messages,
    IGuildStore guilds,
    INotificationStore notifications,
    IOptions<GuildOptions> guildOptions,
    IOptions<LimitOptions> limits,
    SiloMetrics metrics,
    TimeProvider time,
    ILogger<ChannelGrain> logger) : Grain, IChannelGrain, IIncomingGrainCallFilter
{
    private ChannelLog _log = null!;
    private UserChannelLists _users = null!;
    private readonly GuildMemberRoles _guildMembers = new();

    /// <summary>Users told of a move into a server at once, as a server's import tells them.</summary>
    private const int MoveNoticesInFlight = 64;

    /// <summary>
    /// The channel was standalone when this activation started (or its move is unfinished): the first
    /// call of any kind completes the move into its own server first (<see cref="ChannelMigration"/>).
    /// </summary>
    private bool _migrationDue;
    private Task? _migration;

    private string ChannelId => this.GetPrimaryKeyString();
    private ChannelState Channel => state.State;

    /// <summary>A direct message whose pair has a block between them (read at activation, then told): no sends.</summary>
    private bool _directBlocked;
    private ChannelPolicy Policy => new(state.State, _guildMembers);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var events = this.GetStreamProvider(StreamNames.Provider)
            .GetStream<ChannelEvent>(StreamId.Create(StreamNames.Channel, ChannelId));
        var notified = new MessageNotifications(ChannelId, () => Channel, () => Policy, _guildMembers, guilds, notifications, GrainFactory, time);
        _log = new ChannelLog(ChannelId, messages, events, GrainFactory.GetGrain<ITypingGrain>(ChannelId),
            memberId => Policy.SendRefusal(memberId), notified.DraftsAsync, AnnounceAsync, metrics, time, logger);
        _users = new UserChannelLists(GrainFactory, limits.Value);
        if (Channel.Exists)
        {
            await _log.LoadAsync(cancellationToken);
        }

        if (Channel.Exists && Channel.IsGuildChannel)
        {
            await RefreshGuildAccessAsync();
        }

        if (Channel.Exists && Channel.IsDirect && Channel.Members.Count == 2)
        {
            var pair = Channel.Members.Keys.ToArray();
            _directBlocked = (await GrainFactory.GetGrain<IRelationshipGrain>(pair[0]).KindsWith(pair[1])).BlockedEitherWay;
        }

        // Not migrated here: the server's pushes reach a channel while its grain waits on them, and
        // the move calls that grain; the first other call does it (Invoke).
        _migrationDue = MigrationDue;
    }

    /// <summary>
    /// Runs each call that does not interleave (every one but sends and <c>IsMember</c>) between
    /// send batches (<see cref="ChannelLog.PauseSendsAsync"/>), so it sees a settled seq and
    /// membership and its events follow those of the sends accepted before it.
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (_migrationDue && !IsServerPush(context.InterfaceMethod?.Name))
        {
            await MigrateOnceAsync();
        }

        if (context.InterfaceMethod?.IsDefined(typeof(AlwaysInterleaveAttribute), inherit: false) == true)
        {
            await context.Invoke();
            return;
        }

        using var pause = await _log.PauseSendsAsync();
        await context.Invoke();
    }

    public async Task<ChannelInfo> Create(Caller caller, string name, bool isPrivate)
    {
        var validName = ChannelRules.ValidateName(name);
        Policy.RequireMayCreate(ChannelId);
        if (guildOptions.Value.CreateStandaloneChannels)
        {
            await CreateStandaloneAsync(caller, validName, isPrivate);
            return Info();
        }

        // A server of its own, which the creator owns: held to the servers limit, not the channels one.
        if (UserChannelLists.IsUser(caller.MemberId) && !await GrainFactory.GetGrain<IUserGrain>(caller.MemberId).HasRoomForGuild())
        {
            throw new ChatException(ErrorCodes.TooManyGuilds, $"A user may be in {GuildLimits.MaxGuildsPerUser} servers; leave one first.");
        }

        // Made standalone, then moved at once by the upgrade's own steps, so a channel created without
        // a server is what a moved one is. A failure in between leaves a standalone channel that is
        // listed nowhere; its next use, or the operator's sweep, completes the move (MigrationDue).
        state.State = ChannelState.Created(validName, isPrivate, caller.MemberId, time.GetUtcNowInMicroseconds());
        await state.WriteOrDeactivateAsync(this, logger);
        _migrationDue = true;
        await MigrateOnceAsync();
        // Read now, while nothing waits on it: the creator's first send then queues at once, in the
        // order the grain took it, instead of after a read of their roles (SendAfterReadingRolesAsync).
        await KnowAsync(caller.MemberId);
        LogChannelCreated(ChannelId, caller.MemberId);
        return Info();
    }

    /// <summary>What <see cref="Create"/> did before servers (<see cref="GuildOptions.CreateStandaloneChannels"/>, for the upgrade's tests).</summary>
    private async Task CreateStandaloneAsync(Caller caller, string validName, bool isPrivate)
    {
        await _users.RequireRoomForAnotherAsync(caller.MemberId);
        state.State = ChannelState.Created(validName, isPrivate, caller.MemberId, time.GetUtcNowInMicroseconds());
        await state.WriteOrDeactivateAsync(this, logger);
        await _users.AddAsync(caller.MemberId, Info());
        LogChannelCreated(ChannelId, caller.MemberId);
    }

    public async Task<ChannelInfo> OpenDirect(Caller caller, string otherUserId)
    {
        ChannelPolicy.RequireDirectPair(ChannelId, caller, otherUserId);
        // Blocks always refuse; the other's privacy settings only a conversation they are not in yet.
        if (await GrainFactory.GetGrain<IRelationshipGrain>(otherUserId).RefuseDirectMessageFrom(caller.MemberId, Channel.Members.ContainsKey(otherUserId)) is { } refusal)
        {
            throw new ChatException(ErrorCodes.Blocked, refusal);
        }

        await _users.RequireRoomForAnotherAsync(new[] { caller.MemberId, otherUserId }.Where(id => !Channel.Members.ContainsKey(id)));
        if (!Channel.Exists)
        {
            state.State = ChannelState.OpenedDirect(caller.MemberId, time.GetUtcNowInMicroseconds());
        }

        // Both are members, whoever left since: the pair always meets in this channel.
        var added = new[] { caller.MemberId, otherUserId }.Where(id => Channel.Members.TryAdd(id, ChannelRole.Member)).ToArray();
        if (added.Length > 0)
        {
            await state.WriteOrDeactivateAsync(this, logger);
            foreach (var memberId in added)
            {
                await _users.AddAsync(memberId, Info());
                await _log.PublishAsync(new MemberJoined(ChannelId, memberId, ChannelRole.Member));
            }
        }

        return Info();
    }

    public async Task<JoinResult> Join(Caller caller, long? sinceSeq)
    {
        await KnowAsync(caller.MemberId);
        if (Channel.Exists && ChannelMigration.MovedIntoOwnServer(ChannelId, Channel) && !Channel.IsPrivate && !Policy.HasMember(caller.MemberId, out _))
        {
            // A public channel moved into a server open to all: joining it joins the server, as
            // joining the channel did before (bans and limits refuse as the server's).
            var member = await GrainFactory.GetGrain<IGuildGrain>(ChannelId).JoinOpen(caller.MemberId);
            _guildMembers.Set(member.UserId, member.RoleIds, member.Version);
        }

        if (Policy.RequireMayJoin(caller))
        {
            await AddMemberAsync(caller.MemberId);
        }

        var (missed, truncated) = sinceSeq is { } since
            ? await _log.ChangesAfterAsync(since, ChannelLimits.MaxMissedOnJoin)
            : ([], false);
        return new JoinResult(Info(), _log.LatestSeq, missed, truncated);
    }

    public async Task Invite(Caller caller, string userId)
    {
        // A user who blocked the inviter, or whom the inviter blocked, is not invited by them.
        var invitee = GrainFactory.GetGrain<IRelationshipGrain>(Ids.Require(userId, "userId"));
        if (caller.Kind == CallerKind.User && (await invitee.KindsWith(caller.MemberId)).BlockedEitherWay)
        {
            throw new ChatException(ErrorCodes.Blocked, RelationshipRules.NotAccepted);
        }

        bool member;
        if (MovedIntoOwnServer)
        {
            member = await ThroughOwnServerAsync(guild => guild.CheckInviteToMovedChannel(caller, userId));
        }
        else
        {
            await KnowAsync(caller.MemberId);
            Policy.RequireMayInvite(caller, userId);
            member = Channel.Members.ContainsKey(userId);
        }

        // Nobody's channels grow by another's hand: the user decides (IRelationshipGrain.AcceptInvitation).
        if (!member)
        {
            await invitee.AddInvitation(new Invitation(ChannelId, Channel.Name, caller.MemberId, time.GetUtcNow()));
        }
    }

    public async Task AddInvited(string inviterId, string userId)
    {
        // The inviter as they were when they invited: a user, or a service account (its member id's prefix).
        var inviter = inviterId.StartsWith(Caller.ServicePrefix, StringComparison.Ordinal)
            ? new Caller(inviterId[Caller.ServicePrefix.Length..], CallerKind.Service)
            : new Caller(inviterId, CallerKind.User);
        if (MovedIntoOwnServer)
        {
            var member = await ThroughOwnServerAsync(guild => guild.AddMemberOfMovedChannel(inviter, userId));
            _guildMembers.Set(member.UserId, member.RoleIds, member.Version);
            return;
        }

        await KnowAsync(inviter.MemberId);
        Policy.RequireMayInvite(inviter, userId);
        if (!Channel.Members.ContainsKey(userId))
        {
            await AddMemberAsync(userId);
        }
    }

    public async Task Leave(Caller caller)
    {
        await KnowAsync(caller.MemberId);
        Policy.RequireMayLeave(caller);
        await RemoveMemberAsync(caller.MemberId, LeaveReasons.Left);
    }

    public async Task Kick(Caller caller, string userId)
    {
        if (MovedIntoOwnServer)
        {
            await ThroughOwnServerAsync(guild => guild.KickFromMovedChannel(caller, Ids.Require(userId, "userId")));
            metrics.ChannelModeration("kick");
            return;
        }

        await KnowAsync(caller.MemberId);
        Policy.RequireMayKick(caller, userId);
        await RemoveMemberAsync(userId, LeaveReasons.Kicked);
        LogMemberRemoved(ChannelId, userId, LeaveReasons.Kicked, caller.MemberId);
        metrics.ChannelModeration("kick");
    }

    public async Task Unban(Caller caller, string userId)
    {
        if (MovedIntoOwnServer)
        {
            await ThroughOwnServerAsync(guild => guild.UnbanFromMovedChannel(caller, Ids.Require(userId, "userId")));
            metrics.ChannelModeration("unban");
            return;
        }

        await KnowAsync(caller.MemberId);
        Policy.RequireMayBan(caller, userId);
        if (Channel.Banned.Remove(userId))
        {
            await state.WriteOrDeactivateAsync(this, logger);
            LogMemberUnbanned(ChannelId, userId, caller.MemberId);
            metrics.ChannelModeration("unban");
        }
    }

    public async Task Ban(Caller caller, string userId)
    {
        if (MovedIntoOwnServer)
        {
            await ThroughOwnServerAsync(guild => guild.BanFromMovedChannel(caller, Ids.Require(userId, "userId")));
            metrics.ChannelModeration("ban");
            return;
        }

        await KnowAsync(caller.MemberId);
        Policy.RequireMayBan(caller, userId);
        Channel.Banned.Add(userId);
        if (Channel.Members.ContainsKey(userId))
        {
            await RemoveMemberAsync(userId, LeaveReasons.Banned);
        }
        else
        {
            await state.WriteOrDeactivateAsync(this, logger);
        }

        LogMemberRemoved(ChannelId, userId, LeaveReasons.Banned, caller.MemberId);
        metrics.ChannelModeration("ban");
    }

    public async Task SetMemberRole(Caller caller, string userId, ChannelRole role)
    {
        if (MovedIntoOwnServer)
        {
            var member = await ThroughOwnServerAsync(guild => guild.SetMovedChannelRole(caller, Ids.Require(userId, "userId"), role));
            _guildMembers.Set(member.UserId, member.RoleIds, member.Version);
            return;
        }

        await KnowAsync(caller.MemberId);
        Policy.RequireMaySetRole(caller, userId, role);
        if (Channel.Members[userId] != role)
        {
            Channel.Members[userId] = role;
            await state.WriteOrDeactivateAsync(this, logger);
            await _log.PublishAsync(new MemberRoleChanged(ChannelId, userId, role));
        }
    }

    public async Task<IReadOnlyList<ChannelMember>> GetMembers(Caller caller)
    {
        if (MovedIntoOwnServer)
        {
            return await ThroughOwnServerAsync(guild => guild.GetMovedChannelMembers(caller));
        }

        await KnowAsync(caller.MemberId);
        Policy.RequireMember(caller);
        Policy.RequireStandalone();
        return Channel.Members.Select(member => new ChannelMember(member.Key, member.Value))
                .OrderByDescending(member => member.Role).ThenBy(member => member.UserId, StringComparer.Ordinal)
                .ToArray();
    }

    public async Task<ChannelInfo> Update(Caller caller, string name, string? topic)
    {
        await KnowAsync(caller.MemberId);
        Policy.RequireMayUpdate(caller);
        Channel.Name = ChannelRules.ValidateName(name);
        Channel.Topic = ChannelRules.ValidateTopic(topic);
        await state.WriteOrDeactivateAsync(this, logger);
        var info = Info();
        await _log.PublishAsync(new ChannelUpdated(info));
        return info;
    }

    public async Task Delete(Caller caller)
    {
        await KnowAsync(caller.MemberId);
        Policy.RequireMayDelete(caller);
        var members = Channel.Members.Keys.ToArray();
        await _log.DeleteAllAsync();
        state.State = new ChannelState { Deleted = true };
        await state.WriteOrDeactivateAsync(this, logger);
        await _log.PublishAsync(new ChannelDeleted(ChannelId));
        await _users.RemoveAsync(members, ChannelId, LeaveReasons.Deleted);
        LogChannelDeleted(ChannelId, caller.MemberId);
    }

    public Task<ChatMessage> SendMessage(Caller caller, SendMessageRequest request)
    {
        // Nothing awaited before the send is queued: its place in the queue is the order in which
        // the grain took the calls, and that order becomes seq order. These checks refuse early;
        // membership is checked again when the batch is committed.
        if (Channel.IsGuildChannel && !_guildMembers.TryGet(caller.MemberId, out _))
        {
            return SendAfterReadingRolesAsync(caller, request);
        }

        if (_directBlocked)
        {
            return Task.FromException<ChatMessage>(new ChatException(ErrorCodes.Blocked, RelationshipRules.NotAccepted));
        }

        Policy.RequireMaySend(caller);
        return _log.SendAsync(PendingSend.Validated(caller.MemberId, request));
    }

    public Task DirectBlockChanged(bool blocked)
    {
        _directBlocked = blocked;
        return Task.CompletedTask;
    }

    /// <summary>
    /// A server member's first send since the activation waits for their roles to be read; among
    /// concurrent sends, it then queues after those that did not wait (a different author's).
    /// </summary>
    private async Task<ChatMessage> SendAfterReadingRolesAsync(Caller caller, SendMessageRequest request)
    {
        await KnowAsync(caller.MemberId);
        Policy.RequireMaySend(caller);
        return await _log.SendAsync(PendingSend.Validated(caller.MemberId, request));
    }

    public async Task<ChatMessage> EditMessage(Caller caller, string messageId, string content)
    {
        await KnowAsync(caller.MemberId);
        Policy.RequireMember(caller);
        var message = await _log.GetLiveMessageAsync(messageId);
        ChannelPolicy.RequireMayEdit(caller, message.AuthorId);
        return await _log.EditAsync(message, MessageRules.ValidateContent(content));
    }

    public async Task DeleteMessage(Caller caller, string messageId)
    {
        await KnowAsync(caller.MemberId);
        Policy.RequireMember(caller);
        var message = await _log.GetLiveMessageAsync(messageId);
        Policy.RequireMayDeleteMessage(caller, message.AuthorId);
        await _log.DeleteAsync(message);
    }

    public async Task<IReadOnlyList<ReactionSummary>> AddReaction(Caller caller, string messageId, string emoji)
    {
        await KnowAsync(caller.MemberId);
        Policy.RequireMayReact(caller);
        var validEmoji = MessageRules.ValidateEmoji(emoji);
        var message = await _log.GetLiveMessageAsync(messageId);
        MessageRules.RequireRoomForReaction(message, validEmoji);
        await KnowAsync(message.AuthorId);
        var (reactions, notified) = await _log.AddReactionAsync(message, validEmoji, caller.MemberId, ReactionNotification(message, validEmoji, caller.MemberId));
        metrics.NotificationsCreated(notified);
        foreach (var written in notified)
        {
            await AnnounceAsync(written);
        }

        return reactions;
    }

    /// <summary>A notification to its user's connections, on the user's stream.</summary>
    private Task AnnounceAsync(WrittenNotification written) =>
        this.UserStream(written.UserId).OnNextAsync(new NotificationCreated(written.UserId, written.Notification));

    /// <summary>The author of a message reacted to hears of it, if they can still view the channel (blocks and settings are the statement's).</summary>
    private NotificationDraft? ReactionNotification(ChatMessage message, string emoji, string reactorId) =>
        message.AuthorId != reactorId && Policy.HasMember(message.AuthorId, out _)
            ? new NotificationDraft(message.AuthorId, Guid.CreateVersion7(), NotificationKind.Reaction, reactorId, Channel.GuildId, ChannelId,
                Guid.Parse(message.Id), message.Seq, emoji, time.GetUtcNowInMicroseconds(), Scoped: true)
            : null;

    public async Task<IReadOnlyList<ReactionSummary>> RemoveReaction(Caller caller, string messageId, string emoji)
    {
        await KnowAsync(caller.MemberId);
        Policy.RequireMember(caller);
        var validEmoji = MessageRules.ValidateEmoji(emoji);
        var message = await _log.GetLiveMessageAsync(messageId);
        return await _log.RemoveReactionAsync(message, validEmoji, caller.MemberId);
    }

    public async Task<IReadOnlyList<ChatMessage>> GetHistory(Caller caller, long? beforeSeq, int limit)
    {
        await KnowAsync(caller.MemberId);
        Policy.RequireMember(caller);
        return await _log.HistoryAsync(beforeSeq, Math.Clamp(limit, 1, ChannelLimits.MaxHistoryPage));
    }

    public async Task<ChannelInfo> GetInfo(Caller caller)
    {
        await KnowAsync(caller.MemberId);
        Policy.RequireMember(caller);
        return Info();
    }

    public async Task<bool> IsMember(Caller caller)
    {
        await KnowAsync(caller.MemberId);
        return Policy.HasMember(caller.MemberId, out _);
    }

    public async Task<ChannelSummary> GetSummary(Caller caller, long lastReadSeq)
    {
        await KnowAsync(caller.MemberId);
        var role = Policy.RequireMember(caller);
        var unread = await _log.CountUnreadAsync(lastReadSeq, caller.MemberId);
        return new ChannelSummary(Info(), role, _log.LatestSeq, lastReadSeq, unread);
    }

    public async Task<ChannelChanges> GetChangesAfter(ServiceCredential gateway, long afterSeq, int limit, IReadOnlyList<string> userIds)
    {
        // The silos' filter has checked the credential and that it is a gateway's ([GatewayOnly]).
        await KnowAsync(userIds);
        var notMembers = userIds.Where(userId => !Policy.HasMember(userId, out _)).ToArray();
        var (changes, truncated) = Channel.Exists
            ? await _log.ChangesAfterAsync(afterSeq, Math.Clamp(limit, 1, ChannelLimits.MaxMissedOnJoin))
            : ([], false);
        return new ChannelChanges(changes, truncated, notMembers);
    }

    public async Task<ChannelView?> GetView(ServiceCredential gateway)
    {
        if (!Channel.Exists)
        {
            return null;
        }

        var (recent, latestSeq) = await _log.RecentAsync();
        var roles = Channel.Members.Where(member => member.Value != ChannelRole.Member).ToDictionary();
        return new ChannelView(Info(), latestSeq, roles, recent);
    }

    public async Task RemoveDeletedAccount(string userId)
    {
        if (ChannelMigration.MovedIntoOwnServer(ChannelId, Channel))
        {
            // Moved into its server (just now, maybe: this call woke it): the membership is a row of
            // that server's now. One-way, so the server may push back to this channel meanwhile.
            await GrainFactory.GetGrain<IGuildGrain>(ChannelId).RemoveDeletedAccount(userId);
            return;
        }

        if (Policy.LeavesWithDeletedAccount(userId))
        {
            await RemoveMemberAsync(userId, LeaveReasons.AccountDeleted);
        }
    }

    public async Task<ChannelInfo> AttachToGuild(GuildChannelAccess attached)
    {
        if (!Channel.Exists)
        {
            Policy.RequireMayCreate(ChannelId);
            // The server's time for it, so Ready's summary and the server's channel list agree.
            var createdAt = attached.Channel.CreatedAt == default ? time.GetUtcNowInMicroseconds() : attached.Channel.CreatedAt;
            state.State = ChannelState.AttachedToGuild(attached, createdAt);
            await state.WriteOrDeactivateAsync(this, logger);
            return Info();
        }

        if (Channel.GuildId != attached.Channel.GuildId)
        {
            throw new ChatException(ErrorCodes.ChannelExists, "A channel with this id already exists.");
        }

        await ApplyGuildAccessAsync(attached);
        return Info();
    }

    public async Task SetGuildMember(string userId, IReadOnlyList<string>? roleIds, long version)
    {
        if (Channel.IsGuildChannel)
        {
            _guildMembers.Set(userId, roleIds, version);
            await _log.PublishAsync(new GuildMemberAccessChanged(ChannelId, userId, roleIds, version));
        }
    }

    public async Task DeleteForGuild()
    {
        // A channel still moving into its own server (only that server lists it) is deleted too,
        // and its members' user grains, which still list it, drop it.
        if (Channel.Exists && (Channel.IsGuildChannel || ChannelMigration.IsDue(ChannelId, Channel)))
        {
            var members = Channel.Members.Keys.ToArray();
            await _log.DeleteAllAsync();
            state.State = new ChannelState { Deleted = true };
            await state.WriteOrDeactivateAsync(this, logger);
            await _log.PublishAsync(new ChannelDeleted(ChannelId));
            await _users.RemoveAsync(members, ChannelId, LeaveReasons.Deleted);
            _migrationDue = false;
            LogChannelDeleted(ChannelId, "its server");
        }
    }

    public async Task<int> DeleteMessagesBy(string userId, DateTimeOffset since)
    {
        var deleted = 0;
        if (!Channel.Exists)
        {
            return deleted;
        }

        // In pages: each deletion takes its own seq and event, as a moderator's would.
        IReadOnlyList<ChatMessage> page;
        do
        {
            page = await messages.GetByAuthorSinceAsync(ChannelId, userId, since, ChannelLimits.MaxHistoryPage);
            foreach (var message in page)
            {
                await _log.DeleteAsync(message);
                deleted++;
            }
        }
        while (page.Count == ChannelLimits.MaxHistoryPage);

        return deleted;
    }

    public async Task<bool> MigrateToGuild()
    {
        _migrationDue = MigrationDue;
        if (!_migrationDue)
        {
            return false;
        }

        await MigrateOnceAsync();
        return true;
    }

    public async Task<long> MarkRead(Caller caller, long seq)
    {
        await KnowAsync(caller.MemberId);
        Policy.RequireMember(caller);
        if (caller.Kind != CallerKind.User)
        {
            throw new ChatException(ErrorCodes.Forbidden, "Read positions are kept for users only.");
        }

        return await GrainFactory.GetGrain<IUserGrain>(caller.Id).RecordRead(ChannelId, seq);
    }

    /// <summary>
    /// A step of the move is left: one begun, or a standalone channel (one from before the upgrade,
    /// or one whose <see cref="Create"/> failed before its move).
    /// </summary>
    private bool MigrationDue => ChannelMigration.IsDue(ChannelId, Channel);

    /// <summary>
    /// The server of this channel's id: the one it moved into, or (rarely) a server that named a
    /// channel after itself, which its grain tells apart (<see cref="IGuildGrain.AddMemberOfMovedChannel"/>).
    /// </summary>
    private bool MovedIntoOwnServer => ChannelMigration.MovedIntoOwnServer(ChannelId, Channel);

    /// <summary>
    /// A call into the server this channel moved into, for the old membership methods. With
    /// call-chain reentrancy: the server pushes its change back here (<see cref="SetGuildMember"/>,
    /// <see cref="AttachToGuild"/>) before it answers, and this grain is waiting on it. Those pushes
    /// pause sends again, which nests (<see cref="GroupCommitQueue{T}"/> counts pauses).
    /// </summary>
    /// <remarks>
    /// Reentrancy covers this call's own chain only: a server call of another chain that pushes here
    /// while this one waits on the server (an owner renaming the channel during an invite) holds both
    /// until the push times out, after which the server's caller retries, as with a failed push. The
    /// old methods are rare on such servers; making the server's methods interleave would let its
    /// state writes overlap instead.
    /// </remarks>
    private async Task<T> ThroughOwnServerAsync<T>(Func<IGuildGrain, Task<T>> call)
    {
        using var reentrancy = RequestContext.AllowCallChainReentrancy();
        return await call(GrainFactory.GetGrain<IGuildGrain>(ChannelId));
    }

    private Task ThroughOwnServerAsync(Func<IGuildGrain, Task> call) =>
        ThroughOwnServerAsync(async guild =>
        {
            await call(guild);
            return true;
        });

    /// <summary>The server's calls into its channels, which never wait on a move (see <see cref="OnActivateAsync"/>).</summary>
    private static bool IsServerPush(string? method) => method is
        nameof(AttachToGuild) or nameof(SetGuildMember) or nameof(DeleteForGuild) or nameof(DeleteMessagesBy) or nameof(MigrateToGuild);

    /// <summary>One move at a time, whichever calls start it (sends interleave); a failed one is tried again by the next call.</summary>
    private async Task MigrateOnceAsync()
    {
        var migration = _migration ??= MigrateAsync();
        try
        {
            await migration;
            _migrationDue = false;
        }
        finally
        {
            if (ReferenceEquals(_migration, migration))
            {
                _migration = null;
            }
        }
    }

    /// <summary>The steps of <see cref="ChannelMigration"/>; each is idempotent, so a run that stopped half-way is completed by this one.</summary>
    private async Task MigrateAsync()
    {
        var snapshot = ChannelMigration.Snapshot(ChannelId, Channel);
        var adopted = await GrainFactory.GetGrain<IGuildGrain>(ChannelId).AdoptStandaloneChannel(snapshot);
        if (!Channel.IsGuildChannel)
        {
            ChannelMigration.Moved(Channel, adopted.Channel);
            await state.WriteOrDeactivateAsync(this, logger);
            // In the channel's order: gateways learn the channel's server before its next message,
            // and clients see the channel's new server id (ChannelUpdated); nobody is taken out.
            await _log.PublishAsync(new ChannelAccessChanged(ChannelId, adopted.Channel.Access));
            await _log.PublishAsync(new ChannelUpdated(Info()));
        }

        var admins = snapshot.AdminIds.ToHashSet(StringComparer.Ordinal);
        foreach (var slice in snapshot.MemberIds.Where(UserChannelLists.IsUser).Chunk(MoveNoticesInFlight))
        {
            await Task.WhenAll(slice.Select(userId => GrainFactory.GetGrain<IUserGrain>(userId)
                .MoveChannelToGuild(ChannelId, adopted.MembershipOf(userId, admins.Contains(userId)))));
        }

        Channel.Members.Clear();
        Channel.Banned.Clear();
        await state.WriteOrDeactivateAsync(this, logger);
        LogChannelMigrated(ChannelId, snapshot.MemberIds.Count);
    }

    /// <summary>
    /// Reads the roles of those of <paramref name="memberIds"/> this server channel does not know yet;
    /// nothing for other channels. Before every check of a caller, the membership methods' too: a
    /// member of the server is then refused those as "the server's", not as a stranger.
    /// </summary>
    private Task KnowAsync(params IEnumerable<string> memberIds) =>
        Channel.IsGuildChannel ? _guildMembers.LoadAsync(guilds, Channel.GuildId!, memberIds) : Task.CompletedTask;

    /// <summary>
    /// On activation: the server may have changed while a push here failed (its caller was told and
    /// retries, but may not); the server's grain answers this call even while it waits on us.
    /// </summary>
    private async Task RefreshGuildAccessAsync()
    {
        if (await GrainFactory.GetGrain<IGuildGrain>(Channel.GuildId!).GetChannelAccess(ChannelId) is { } current)
        {
            await ApplyGuildAccessAsync(current);
        }
    }

    /// <summary>Takes the server's newer name, topic and permission inputs, and tells gateways in the channel's order.</summary>
    private async Task ApplyGuildAccessAsync(GuildChannelAccess attached)
    {
        if (attached.Access.Version <= Channel.Access!.Version)
        {
            return;
        }

        var renamed = Channel.Name != attached.Channel.Name || Channel.Topic != attached.Channel.Topic;
        Channel.Name = attached.Channel.Name;
        Channel.Topic = attached.Channel.Topic;
        Channel.OwnerId = attached.Access.OwnerId;
        Channel.Access = attached.Access;
        await state.WriteOrDeactivateAsync(this, logger);
        // Access first: a gateway takes out who may no longer view before it shows the new name.
        await _log.PublishAsync(new ChannelAccessChanged(ChannelId, attached.Access));
        if (renamed)
        {
            await _log.PublishAsync(new ChannelUpdated(Info()));
        }
    }

    private async Task AddMemberAsync(string memberId)
    {
        await _users.RequireRoomForAnotherAsync(memberId);
        Channel.Members[memberId] = ChannelRole.Member;
        await state.WriteOrDeactivateAsync(this, logger);
        await _users.AddAsync(memberId, Info());
        await _log.PublishAsync(new MemberJoined(ChannelId, memberId, ChannelRole.Member));
    }

    private async Task RemoveMemberAsync(string memberId, string reason)
    {
        Channel.Members.Remove(memberId);
        await state.WriteOrDeactivateAsync(this, logger);
        // On the channel's ordered stream: gateways drop the member's connections before any later event.
        await _log.PublishAsync(new MemberLeft(ChannelId, memberId, reason));
        await _users.RemoveAsync(memberId, ChannelId, reason);
    }

    private ChannelInfo Info() =>
        new(ChannelId, Channel.Name, Channel.IsPrivate, Channel.OwnerId, Channel.CreatedAt, Channel.Topic, Channel.IsDirect, Channel.GuildId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} created by {UserId}")]
    private partial void LogChannelCreated(string channelId, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} moved into the server of its id with {Members} members")]
    private partial void LogChannelMigrated(string channelId, int members);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} deleted by {UserId}")]
    private partial void LogChannelDeleted(string channelId, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId}: {UserId} {Reason} by {ByUserId}")]
    private partial void LogMemberRemoved(string channelId, string userId, string reason, string byUserId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId}: {UserId} unbanned by {By}")]
    private partial void LogMemberUnbanned(string channelId, string userId, string by);
}
