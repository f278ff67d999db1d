using Cryb.Channels;
using Cryb.Grains.Limits;
using Cryb.Grains.Messages;
using Cryb.Grains.Telemetry;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Typing;
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
/// </summary>
public sealed partial class ChannelGrain(
    [PersistentState("channel", StorageNames.Default)] IPersistentState<ChannelState> state,
    IMessageStore messages,
    IOptions<LimitOptions> limits,
    SiloMetrics metrics,
    TimeProvider time,
    ILogger<ChannelGrain> logger) : Grain, IChannelGrain, IIncomingGrainCallFilter
{
    private ChannelLog _log = null!;
    private UserChannelLists _users = null!;

    private string ChannelId => this.GetPrimaryKeyString();
    private ChannelState Channel => state.State;
    private ChannelPolicy Policy => new(state.State);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var events = this.GetStreamProvider(StreamNames.Provider)
            .GetStream<ChannelEvent>(StreamId.Create(StreamNames.Channel, ChannelId));
        _log = new ChannelLog(ChannelId, messages, events, GrainFactory.GetGrain<ITypingGrain>(ChannelId),
            memberId => Policy.SendRefusal(memberId), metrics, time, logger);
        _users = new UserChannelLists(GrainFactory, limits.Value);
        if (Channel.Exists)
        {
            await _log.LoadAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Runs each call that does not interleave (every one but sends and <c>IsMember</c>) between
    /// send batches (<see cref="ChannelLog.PauseSendsAsync"/>), so it sees a settled seq and
    /// membership and its events follow those of the sends accepted before it.
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
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
        await _users.RequireRoomForAnotherAsync(caller.MemberId);
        state.State = ChannelState.Created(validName, isPrivate, caller.MemberId, time.GetUtcNowInMicroseconds());
        await state.WriteOrDeactivateAsync(this, logger);
        await _users.AddAsync(caller.MemberId, Info());
        LogChannelCreated(ChannelId, caller.MemberId);
        return Info();
    }

    public async Task<ChannelInfo> OpenDirect(Caller caller, string otherUserId)
    {
        ChannelPolicy.RequireDirectPair(ChannelId, caller, otherUserId);
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
        Policy.RequireMayInvite(caller, userId);
        if (!Channel.Members.ContainsKey(userId))
        {
            await AddMemberAsync(userId);
        }
    }

    public async Task Leave(Caller caller)
    {
        Policy.RequireMayLeave(caller);
        await RemoveMemberAsync(caller.MemberId, LeaveReasons.Left);
    }

    public async Task Kick(Caller caller, string userId)
    {
        Policy.RequireMayKick(caller, userId);
        await RemoveMemberAsync(userId, LeaveReasons.Kicked);
        LogMemberRemoved(ChannelId, userId, LeaveReasons.Kicked, caller.MemberId);
        metrics.ChannelModeration("kick");
    }

    public async Task Ban(Caller caller, string userId)
    {
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
        Policy.RequireMaySetRole(caller, userId, role);
        if (Channel.Members[userId] != role)
        {
            Channel.Members[userId] = role;
            await state.WriteOrDeactivateAsync(this, logger);
            await _log.PublishAsync(new MemberRoleChanged(ChannelId, userId, role));
        }
    }

    public Task<IReadOnlyList<ChannelMember>> GetMembers(Caller caller)
    {
        Policy.RequireMember(caller);
        return Task.FromResult<IReadOnlyList<ChannelMember>>(
            Channel.Members.Select(member => new ChannelMember(member.Key, member.Value))
                .OrderByDescending(member => member.Role).ThenBy(member => member.UserId, StringComparer.Ordinal)
                .ToArray());
    }

    public async Task<ChannelInfo> Update(Caller caller, string name, string? topic)
    {
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
        Policy.RequireMember(caller);
        return _log.SendAsync(PendingSend.Validated(caller.MemberId, request));
    }

    public async Task<ChatMessage> EditMessage(Caller caller, string messageId, string content)
    {
        Policy.RequireMember(caller);
        var message = await _log.GetLiveMessageAsync(messageId);
        ChannelPolicy.RequireMayEdit(caller, message.AuthorId);
        return await _log.EditAsync(message, MessageRules.ValidateContent(content));
    }

    public async Task DeleteMessage(Caller caller, string messageId)
    {
        var role = Policy.RequireMember(caller);
        var message = await _log.GetLiveMessageAsync(messageId);
        ChannelPolicy.RequireMayDeleteMessage(caller, role, message.AuthorId);
        await _log.DeleteAsync(message);
    }

    public async Task<IReadOnlyList<ReactionSummary>> AddReaction(Caller caller, string messageId, string emoji)
    {
        Policy.RequireMember(caller);
        var validEmoji = MessageRules.ValidateEmoji(emoji);
        var message = await _log.GetLiveMessageAsync(messageId);
        MessageRules.RequireRoomForReaction(message, validEmoji);
        return await _log.AddReactionAsync(message, validEmoji, caller.MemberId);
    }

    public async Task<IReadOnlyList<ReactionSummary>> RemoveReaction(Caller caller, string messageId, string emoji)
    {
        Policy.RequireMember(caller);
        var validEmoji = MessageRules.ValidateEmoji(emoji);
        var message = await _log.GetLiveMessageAsync(messageId);
        return await _log.RemoveReactionAsync(message, validEmoji, caller.MemberId);
    }

    public async Task<IReadOnlyList<ChatMessage>> GetHistory(Caller caller, long? beforeSeq, int limit)
    {
        Policy.RequireMember(caller);
        return await _log.HistoryAsync(beforeSeq, Math.Clamp(limit, 1, ChannelLimits.MaxHistoryPage));
    }

    public Task<ChannelInfo> GetInfo(Caller caller)
    {
        Policy.RequireMember(caller);
        return Task.FromResult(Info());
    }

    public Task<bool> IsMember(Caller caller) => Task.FromResult(Policy.HasMember(caller.MemberId, out _));

    public async Task<ChannelSummary> GetSummary(Caller caller, long lastReadSeq)
    {
        var role = Policy.RequireMember(caller);
        var unread = await _log.CountUnreadAsync(lastReadSeq, caller.MemberId);
        return new ChannelSummary(Info(), role, _log.LatestSeq, lastReadSeq, unread);
    }

    public async Task<ChannelChanges> GetChangesAfter(ServiceCredential gateway, long afterSeq, int limit, IReadOnlyList<string> userIds)
    {
        // The silos' filter has checked the credential and that it is a gateway's ([GatewayOnly]).
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
        if (Policy.LeavesWithDeletedAccount(userId))
        {
            await RemoveMemberAsync(userId, LeaveReasons.AccountDeleted);
        }
    }

    // Placeholders while the server work is split between branches; replaced before merging.
    public Task<ChannelInfo> AttachToGuild(Cryb.Guilds.GuildChannelAccess channel) => throw new NotSupportedException();

    public Task SetGuildMember(string userId, IReadOnlyList<string>? roleIds, long version) => throw new NotSupportedException();

    public Task DeleteForGuild() => throw new NotSupportedException();

    public Task<int> DeleteMessagesBy(string userId, DateTimeOffset since) => throw new NotSupportedException();

    public Task<long> MarkRead(Caller caller, long seq) => throw new NotSupportedException();

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
        new(ChannelId, Channel.Name, Channel.IsPrivate, Channel.OwnerId, Channel.CreatedAt, Channel.Topic, Channel.IsDirect);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} created by {UserId}")]
    private partial void LogChannelCreated(string channelId, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} deleted by {UserId}")]
    private partial void LogChannelDeleted(string channelId, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId}: {UserId} {Reason} by {ByUserId}")]
    private partial void LogMemberRemoved(string channelId, string userId, string reason, string byUserId);
}
