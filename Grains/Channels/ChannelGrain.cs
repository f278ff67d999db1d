using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Limits;
using Cryb.Grains.Messages;
using Cryb.Grains.Storage;
using Cryb.Grains.Telemetry;
using Cryb.Identity;
using Cryb.Users;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Cryb.Grains.Channels;

/// <summary>
/// Owns a channel's membership, roles and gapless seq. Calls run one at a time, except sends
/// (and the read-only <c>IsMember</c>): a send only queues and waits, so that sends can be committed
/// in groups (<c>ChannelGrain.Sends.cs</c>), and every other call runs between two send batches
/// (<see cref="Invoke"/>). So seq allocation needs no lock and a change is stored before the next
/// call starts. This file holds the lifecycle and membership; <c>ChannelGrain.Messages.cs</c> holds
/// edits, deletions and reactions.
/// </summary>
public sealed partial class ChannelGrain(
    [PersistentState("channel", StorageNames.Default)] IPersistentState<ChannelState> state,
    IMessageStore messages,
    IOptions<LimitOptions> limits,
    SiloMetrics metrics,
    TimeProvider time,
    ILogger<ChannelGrain> logger) : Grain, IChannelGrain, IIncomingGrainCallFilter
{
    private const string DirectPrefix = "dm-";

    private long _latestSeq;
    private IAsyncStream<ChannelEvent> _events = null!;

    private string ChannelId => this.GetPrimaryKeyString();
    private ChannelState Channel => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _sends = new SendBatcher(CommitSendsAsync, MaxSendBatch);
        _events = this.GetStreamProvider(StreamNames.Provider)
            .GetStream<ChannelEvent>(StreamId.Create(StreamNames.Channel, ChannelId));
        if (Channel.Exists)
        {
            _latestSeq = await messages.GetLatestSeqAsync(ChannelId, cancellationToken);
        }
    }

    /// <summary>
    /// Runs each call that does not interleave (every one but sends and <c>IsMember</c>) between
    /// send batches: it waits for the batch being written and holds the next one back until it
    /// returns. It therefore sees a settled seq and membership, claims its own seq after the sends
    /// accepted before it, and publishes its events in order with theirs; sends that queued
    /// meanwhile are checked against the state it leaves.
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.IsDefined(typeof(AlwaysInterleaveAttribute), inherit: false) == true)
        {
            await context.Invoke();
            return;
        }

        using var pause = await _sends.PauseAsync();
        await context.Invoke();
    }

    public async Task<ChannelInfo> Create(Caller caller, string name, bool isPrivate)
    {
        var validName = ChannelRules.ValidateName(name);
        if (ChannelId.StartsWith(DirectPrefix, StringComparison.Ordinal))
        {
            throw new ChatException(ErrorCodes.InvalidArgument, $"Channel ids starting with '{DirectPrefix}' are reserved for direct messages.");
        }

        if (Channel.Exists || Channel.Deleted)
        {
            throw new ChatException(ErrorCodes.ChannelExists, "A channel with this id already exists.");
        }

        await RequireRoomForAnotherChannelAsync(caller.MemberId);
        state.State = new ChannelState
        {
            Exists = true,
            Name = validName,
            IsPrivate = isPrivate,
            OwnerId = caller.MemberId,
            CreatedAt = Now(),
            Members = { [caller.MemberId] = ChannelRole.Owner },
        };
        await state.WriteOrRefuseAsync(this, logger);
        await AddToUserAsync(caller.MemberId);
        LogChannelCreated(ChannelId, caller.MemberId);
        return Info();
    }

    public async Task<ChannelInfo> OpenDirect(Caller caller, string otherUserId)
    {
        Ids.Require(otherUserId, "userId");
        if (otherUserId == caller.MemberId)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "A direct message needs another user.");
        }

        if (ChannelId != DirectMessages.ChannelId(caller.MemberId, otherUserId))
        {
            throw new ChatException(ErrorCodes.Forbidden, "This is not the direct message channel of these two users.");
        }

        foreach (var memberId in new[] { caller.MemberId, otherUserId }.Where(id => !Channel.Members.ContainsKey(id)))
        {
            await RequireRoomForAnotherChannelAsync(memberId);
        }

        if (!Channel.Exists)
        {
            state.State = new ChannelState
            {
                Exists = true,
                IsPrivate = true,
                IsDirect = true,
                OwnerId = caller.MemberId,
                CreatedAt = Now(),
            };
        }

        // Both are members, whoever left since: the pair always meets in this channel.
        var added = new[] { caller.MemberId, otherUserId }.Where(id => Channel.Members.TryAdd(id, ChannelRole.Member)).ToArray();
        if (added.Length > 0)
        {
            await state.WriteOrRefuseAsync(this, logger);
            foreach (var memberId in added)
            {
                await AddToUserAsync(memberId);
                await PublishAsync(new MemberJoined(ChannelId, memberId, ChannelRole.Member));
            }
        }

        return Info();
    }

    public async Task<JoinResult> Join(Caller caller, long? sinceSeq)
    {
        EnsureExists();
        if (!Channel.Members.ContainsKey(caller.MemberId))
        {
            if (Channel.IsPrivate)
            {
                // Private channels take members by invitation only, and look absent to everyone else.
                throw NotFound();
            }

            if (Channel.Banned.Contains(caller.MemberId))
            {
                throw new ChatException(ErrorCodes.Banned, "You are banned from this channel.");
            }

            await AddMemberAsync(caller.MemberId);
        }

        var missed = (IReadOnlyList<Cryb.Messages.ChatMessage>)[];
        var truncated = false;
        if (sinceSeq is { } since && since < _latestSeq)
        {
            var page = await messages.GetChangedAfterAsync(ChannelId, Math.Max(0, since), ChannelLimits.MaxMissedOnJoin + 1);
            truncated = page.Count > ChannelLimits.MaxMissedOnJoin;
            missed = truncated ? page.Take(ChannelLimits.MaxMissedOnJoin).ToArray() : page;
        }

        return new JoinResult(Info(), _latestSeq, missed, truncated);
    }

    public async Task Invite(Caller caller, string userId)
    {
        Ids.Require(userId, "userId");
        var role = RequireMember(caller);
        RefuseInDirect();
        if (Channel.IsPrivate && role < ChannelRole.Admin)
        {
            throw Forbidden("Only the owner or an admin can invite to a private channel.");
        }

        if (Channel.Banned.Contains(userId))
        {
            throw new ChatException(ErrorCodes.Banned, "That user is banned from this channel.");
        }

        if (!Channel.Members.ContainsKey(userId))
        {
            await AddMemberAsync(userId);
        }
    }

    public async Task Leave(Caller caller)
    {
        var role = RequireMember(caller);
        if (role == ChannelRole.Owner)
        {
            throw new ChatException(ErrorCodes.OwnerCannotLeave, "The owner cannot leave; delete the channel instead.");
        }

        await RemoveMemberAsync(caller.MemberId, LeaveReasons.Left);
    }

    public async Task Kick(Caller caller, string userId)
    {
        RequireOutranks(caller, userId, mustBeMember: true);
        await RemoveMemberAsync(userId, LeaveReasons.Kicked);
        LogMemberRemoved(ChannelId, userId, LeaveReasons.Kicked, caller.MemberId);
        metrics.ChannelModeration("kick");
    }

    public async Task Ban(Caller caller, string userId)
    {
        RequireOutranks(caller, userId, mustBeMember: false);
        Channel.Banned.Add(userId);
        if (Channel.Members.ContainsKey(userId))
        {
            await RemoveMemberAsync(userId, LeaveReasons.Banned);
        }
        else
        {
            await state.WriteOrRefuseAsync(this, logger);
        }

        LogMemberRemoved(ChannelId, userId, LeaveReasons.Banned, caller.MemberId);
        metrics.ChannelModeration("ban");
    }

    public async Task SetMemberRole(Caller caller, string userId, ChannelRole role)
    {
        if (RequireMember(caller) != ChannelRole.Owner)
        {
            throw Forbidden("Only the owner can change roles.");
        }

        RefuseInDirect();
        if (role is not (ChannelRole.Member or ChannelRole.Admin) || userId == caller.MemberId)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "Roles can be set to member or admin, on someone other than the owner.");
        }

        if (!Channel.Members.ContainsKey(userId))
        {
            throw new ChatException(ErrorCodes.MemberNotFound, "That user is not a member.");
        }

        if (Channel.Members[userId] != role)
        {
            Channel.Members[userId] = role;
            await state.WriteOrRefuseAsync(this, logger);
            await PublishAsync(new MemberRoleChanged(ChannelId, userId, role));
        }
    }

    public Task<IReadOnlyList<ChannelMember>> GetMembers(Caller caller)
    {
        RequireMember(caller);
        return Task.FromResult<IReadOnlyList<ChannelMember>>(
            Channel.Members.Select(member => new ChannelMember(member.Key, member.Value))
                .OrderByDescending(member => member.Role).ThenBy(member => member.UserId, StringComparer.Ordinal)
                .ToArray());
    }

    public async Task<ChannelInfo> Update(Caller caller, string name, string? topic)
    {
        if (RequireMember(caller) < ChannelRole.Admin)
        {
            throw Forbidden("Only the owner or an admin can update the channel.");
        }

        RefuseInDirect();
        Channel.Name = ChannelRules.ValidateName(name);
        Channel.Topic = ChannelRules.ValidateTopic(topic);
        await state.WriteOrRefuseAsync(this, logger);
        var info = Info();
        await PublishAsync(new ChannelUpdated(info));
        return info;
    }

    public async Task Delete(Caller caller)
    {
        if (RequireMember(caller) != ChannelRole.Owner)
        {
            throw Forbidden("Only the owner can delete the channel.");
        }

        RefuseInDirect();
        var members = Channel.Members.Keys.ToArray();
        try
        {
            await messages.DeleteChannelAsync(ChannelId);
        }
        catch (Exception ex)
        {
            LogStorageFailed(ex, ChannelId);
            throw StorageFailures.Unavailable();
        }

        state.State = new ChannelState { Deleted = true };
        await state.WriteOrRefuseAsync(this, logger);
        _latestSeq = 0;
        await PublishAsync(new ChannelDeleted(ChannelId));
        foreach (var memberId in members.Where(IsUser))
        {
            await GrainFactory.GetGrain<IUserGrain>(memberId).RemoveChannel(ChannelId, LeaveReasons.Deleted);
        }

        LogChannelDeleted(ChannelId, caller.MemberId);
    }

    public async Task<ChannelSummary> GetSummary(Caller caller, long lastReadSeq)
    {
        var role = RequireMember(caller);
        var unread = lastReadSeq >= _latestSeq ? 0 : await messages.CountUnreadAsync(ChannelId, lastReadSeq, caller.MemberId, ChannelLimits.UnreadCountCap);
        return new ChannelSummary(Info(), role, _latestSeq, lastReadSeq, unread);
    }

    public async Task RemoveDeletedAccount(string userId)
    {
        if (Channel.Exists && Channel.Members.TryGetValue(userId, out var role) && role != ChannelRole.Owner)
        {
            await RemoveMemberAsync(userId, LeaveReasons.AccountDeleted);
        }
    }

    public Task<bool> IsMember(Caller caller) =>
        Task.FromResult(Channel.Exists && Channel.Members.ContainsKey(caller.MemberId));

    public Task<ChannelInfo> GetInfo(Caller caller)
    {
        RequireMember(caller);
        return Task.FromResult(Info());
    }

    private async Task AddMemberAsync(string memberId)
    {
        await RequireRoomForAnotherChannelAsync(memberId);
        Channel.Members[memberId] = ChannelRole.Member;
        await state.WriteOrRefuseAsync(this, logger);
        await AddToUserAsync(memberId);
        await PublishAsync(new MemberJoined(ChannelId, memberId, ChannelRole.Member));
    }

    private async Task RemoveMemberAsync(string memberId, string reason)
    {
        Channel.Members.Remove(memberId);
        await state.WriteOrRefuseAsync(this, logger);
        // On the channel's ordered stream: gateways drop the member's connections before any later event.
        await PublishAsync(new MemberLeft(ChannelId, memberId, reason));
        if (IsUser(memberId))
        {
            await GrainFactory.GetGrain<IUserGrain>(memberId).RemoveChannel(ChannelId, reason);
        }
    }

    /// <summary>
    /// Refuses a user already in <see cref="LimitOptions.MaxChannelsPerUser"/> channels. Checked
    /// before any change; concurrent joins of one user to different channels can each pass, so the
    /// bound may be exceeded by those few.
    /// </summary>
    private async Task RequireRoomForAnotherChannelAsync(string memberId)
    {
        if (IsUser(memberId) && (await GrainFactory.GetGrain<IUserGrain>(memberId).GetChannelIds()).Count >= limits.Value.MaxChannelsPerUser)
        {
            throw new ChatException(ErrorCodes.TooManyChannels,
                $"A user may be in {limits.Value.MaxChannelsPerUser} channels; leave one first.");
        }
    }

    private async Task AddToUserAsync(string memberId)
    {
        // Services have no user grain: nobody connects as them.
        if (IsUser(memberId))
        {
            await GrainFactory.GetGrain<IUserGrain>(memberId).AddChannel(Info());
        }
    }

    private Task PublishAsync(ChannelEvent channelEvent) =>
        _events.OnNextAsync(channelEvent with { CommittedAt = time.GetUtcNow() });

    private static bool IsUser(string memberId) => !memberId.StartsWith(Caller.ServicePrefix, StringComparison.Ordinal);

    private ChannelInfo Info() =>
        new(ChannelId, Channel.Name, Channel.IsPrivate, Channel.OwnerId, Channel.CreatedAt, Channel.Topic, Channel.IsDirect);

    // PostgreSQL keeps microseconds: truncating here makes acknowledged values equal stored ones.
    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }

    private void EnsureExists()
    {
        if (!Channel.Exists)
        {
            throw NotFound();
        }
    }

    /// <summary>The caller's role; a non-member is refused, and of a private channel learns nothing.</summary>
    private ChannelRole RequireMember(Caller caller) =>
        HasMember(caller.MemberId, out var role) ? role : throw NotAMemberRefusal();

    private bool HasMember(string memberId, out ChannelRole role)
    {
        role = default;
        return Channel.Exists && Channel.Members.TryGetValue(memberId, out role);
    }

    private ChatException NotAMemberRefusal() =>
        Channel.Exists && !Channel.IsPrivate
            ? new ChatException(ErrorCodes.NotAMember, "Join the channel first.")
            : NotFound();

    /// <summary>Kick and ban: an admin or the owner, acting on someone of a lower role.</summary>
    private void RequireOutranks(Caller caller, string userId, bool mustBeMember)
    {
        Ids.Require(userId, "userId");
        var role = RequireMember(caller);
        RefuseInDirect();
        if (role < ChannelRole.Admin)
        {
            throw Forbidden("Only the owner or an admin can remove members.");
        }

        if (userId == caller.MemberId)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "Use LeaveChannel to leave.");
        }

        if (Channel.Members.TryGetValue(userId, out var targetRole))
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
        if (Channel.IsDirect)
        {
            throw Forbidden("Direct messages have no roles, invitations or settings.");
        }
    }

    private static ChatException NotFound() => new(ErrorCodes.ChannelNotFound, "No such channel.");

    private static ChatException Forbidden(string reason) => new(ErrorCodes.Forbidden, reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} created by {UserId}")]
    private partial void LogChannelCreated(string channelId, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} deleted by {UserId}")]
    private partial void LogChannelDeleted(string channelId, string userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId}: {UserId} {Reason} by {ByUserId}")]
    private partial void LogMemberRemoved(string channelId, string userId, string reason, string byUserId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing a change to channel {ChannelId} failed")]
    private partial void LogStorageFailed(Exception exception, string channelId);
}
