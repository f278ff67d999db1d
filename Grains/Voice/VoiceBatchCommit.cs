using Cryb.Errors;
using Cryb.Grains.Guilds;
using Cryb.Guilds;
using Cryb.Presence;
using Cryb.Users;
using Cryb.Voice;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Cryb.Grains.Voice;

/// <summary>
/// One batch of a server's voice calls, committed: the moment each takes effect. The reads the
/// calls need and <see cref="VoiceAccessCache"/> does not hold (each channel's permission inputs from
/// the server grain, the callers' member rows in one query) are made together; each call is then decided in queue order against the state as the
/// batch leaves it (a channel's user limit counts the joins before it); the joins' presence
/// bindings run together (one per user: a batch names a user once); the rows are written and
/// deleted in one statement and commit; versions, taken in queue order, are applied and the events
/// published in that order as one stream batch; and only then is each call answered. An ended
/// session's devices and presence grain are told as it is answered, not waited on: the next batch
/// does not queue behind the presence grain's write.
/// </summary>
/// <remarks>
/// One call at a time, the server's voice topped out at 83 calls/s (docs/performance.md, Voice):
/// each waited in turn on the server grain, a member row, the presence grain's write and its own
/// commit. If the commit fails, every call left in the batch is refused with the store's refusal
/// (<c>storage_unavailable</c>) and nothing is applied or published.
/// </remarks>
internal sealed partial class VoiceBatchCommit(
    string guildId, VoiceBook book, VoiceAccessCache cache, IVoiceStore store, IGuildStore guilds, IVoiceMedia media,
    IGrainFactory grains, IAsyncStream<GuildEvent> events, Func<string, IAsyncStream<UserEvent>> userStream,
    TimeProvider time, ILogger logger)
{
    public async Task CommitAsync(IReadOnlyList<VoiceCall> batch)
    {
        var (accessOf, memberOf) = await ReadAsync(batch);
        var decided = Decide(batch, accessOf, memberOf);
        await BindAsync(decided);
        decided.RemoveAll(decision => decision.Call.Answered);
        if (decided.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var decision in decided)
        {
            decision.Version = book.NextVersion();
        }

        await store.WriteAsync(
            guildId,
            decided.Where(d => d.State is not null).Select(d => new StoredVoiceState(d.State! with { Version = d.Version }, d.ConnectionId, now)).ToArray(),
            decided.Where(d => d.State is null).Select(d => new VoiceSessionRef(d.Call.UserId, d.Existing!.State.SessionId)).ToArray());

        var published = new List<GuildEvent>(decided.Count);
        foreach (var decision in decided)
        {
            var from = decision.Existing?.State.ChannelId;
            if (decision.State is { } state)
            {
                var row = new StoredVoiceState(state with { Version = decision.Version }, decision.ConnectionId, now);
                book.Put(row);
                published.Add(new VoiceStateUpdated(row.State, from));
            }
            else
            {
                book.Remove(decision.Call.UserId, decision.Version);
                published.Add(new VoiceStateUpdated(decision.Existing!.State with { ChannelId = null, Version = decision.Version }, from));
            }
        }

        // Written first: a member never sees a state that a lost silo would forget.
        await events.OnNextBatchAsync(published);
        await Task.WhenAll(decided.Select(FinishAsync));
    }

    /// <summary>
    /// The permission inputs of every channel the batch may need and the rows of the members who
    /// need them: what the cache holds, and the rest read together (and kept).
    /// </summary>
    private async Task<(Dictionary<string, GuildChannelAccess?> AccessOf, Dictionary<string, GuildMember> MemberOf)> ReadAsync(IReadOnlyList<VoiceCall> batch)
    {
        var accessOf = new Dictionary<string, GuildChannelAccess?>(StringComparer.Ordinal);
        var memberOf = new Dictionary<string, GuildMember>(StringComparer.Ordinal);
        var channelIds = new HashSet<string>(StringComparer.Ordinal);
        var userIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var call in batch)
        {
            var channelId = call.Kind switch
            {
                VoiceCallKind.Join => call.ChannelId,
                VoiceCallKind.UpdateSelf when call.SelfVideo || call.SelfStream => book.Get(call.UserId)?.State.ChannelId,
                _ => null,
            };
            if (channelId is null)
            {
                continue;
            }

            if (cache.TryGetChannel(channelId, out var access))
            {
                accessOf[channelId] = access;
            }
            else
            {
                channelIds.Add(channelId);
            }

            if (cache.Member(call.UserId) is { } member)
            {
                memberOf[call.UserId] = member;
            }
            else
            {
                userIds.Add(call.UserId);
            }
        }

        if (channelIds.Count == 0 && userIds.Count == 0)
        {
            return (accessOf, memberOf);
        }

        // GetChannelAccess interleaves in the server grain: these do not queue behind its writes.
        var generation = cache.Generation;
        var guild = grains.GetGrain<IGuildGrain>(guildId);
        var accessReads = channelIds.Select(id => (Id: id, Read: guild.GetChannelAccess(id))).ToArray();
        var membersRead = userIds.Count == 0 ? Task.FromResult<IReadOnlyList<GuildMember>>([]) : guilds.GetMembersAsync(guildId, userIds);
        await Task.WhenAll(accessReads.Select(read => (Task)read.Read).Append(membersRead));
        var readAccess = accessReads.Select(read => KeyValuePair.Create(read.Id, read.Read.Result)).ToArray();
        var readMembers = await membersRead;
        cache.Keep(generation, readAccess, readMembers);
        foreach (var (channelId, access) in readAccess)
        {
            accessOf[channelId] = access;
        }

        foreach (var member in readMembers)
        {
            memberOf[member.UserId] = member;
        }

        return (accessOf, memberOf);
    }

    /// <summary>
    /// Decides each call in queue order: refuses those that may not be, answers those that change
    /// nothing, and returns the rest, in order, with the state each leaves.
    /// </summary>
    private List<Decision> Decide(IReadOnlyList<VoiceCall> batch, Dictionary<string, GuildChannelAccess?> accessOf, Dictionary<string, GuildMember> memberOf)
    {
        // Who is in each channel as the batch goes: a join counts against the limit for those after it.
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in book.Rows)
        {
            counts[row.State.ChannelId!] = counts.GetValueOrDefault(row.State.ChannelId!) + 1;
        }

        var decided = new List<Decision>(batch.Count);
        foreach (var call in batch)
        {
            try
            {
                // A batch names each user once: the book is the state this user's call meets.
                var existing = book.Get(call.UserId);
                var decision = call.Kind switch
                {
                    VoiceCallKind.Join => DecideJoin(call, existing, accessOf, memberOf, counts),
                    VoiceCallKind.UpdateSelf => DecideUpdate(call, existing, accessOf, memberOf),
                    VoiceCallKind.Leave => new Decision(call, existing ?? throw VoiceGrain.NotInVoice(), null, existing.ConnectionId),
                    _ => DecideEnd(call, existing),
                };
                if (decision is null)
                {
                    continue; // answered already: nothing changes
                }

                if (existing?.State.ChannelId is { } from && decision.State?.ChannelId != from)
                {
                    counts[from]--;
                }

                if (decision.State?.ChannelId is { } to && to != existing?.State.ChannelId)
                {
                    counts[to] = counts.GetValueOrDefault(to) + 1;
                }

                decided.Add(decision);
            }
            catch (ChatException refusal)
            {
                call.Refuse(refusal);
            }
        }

        return decided;
    }

    private static Decision? DecideEnd(VoiceCall call, StoredVoiceState? existing)
    {
        if (existing is not null && existing.State.SessionId == call.SessionId)
        {
            return new Decision(call, existing, null, existing.ConnectionId);
        }

        call.Succeed(null); // an older session: a later one stays
        return null;
    }

    private Decision DecideJoin(VoiceCall call, StoredVoiceState? existing, Dictionary<string, GuildChannelAccess?> accessOf, Dictionary<string, GuildMember> memberOf, Dictionary<string, int> counts)
    {
        var channelId = call.ChannelId!;
        var member = memberOf.GetValueOrDefault(call.UserId);
        var (channel, permissions) = VoiceAccess.Of(accessOf[channelId], member, call.UserId);
        if (channel.Type != GuildChannelType.Voice)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "Only a voice channel can be joined.");
        }

        if (!Permission.Has(permissions, Permission.Connect))
        {
            throw new ChatException(ErrorCodes.Forbidden, "You may not connect to this voice channel.");
        }

        var alreadyThere = existing?.State.ChannelId == channelId;
        if (!alreadyThere && channel.UserLimit > 0 && !Permission.Has(permissions, Permission.MoveMembers)
            && counts.GetValueOrDefault(channelId) >= channel.UserLimit)
        {
            throw new ChatException(ErrorCodes.VoiceChannelFull, $"This voice channel holds {channel.UserLimit} users.");
        }

        // The same connection keeps its session (a new token, or a move within the server); another
        // connection, here or from another server, starts a new one and ends the old.
        var connectionId = call.ConnectionId!;
        var sessionId = existing is not null && existing.ConnectionId == connectionId ? existing.State.SessionId : Guid.NewGuid().ToString("N");
        var sameSession = alreadyThere && existing!.State.SessionId == sessionId;
        var state = new VoiceState(
            guildId, channelId, call.UserId, sessionId,
            SelfMute: call.SelfMute, SelfDeaf: call.SelfDeaf,
            SelfVideo: sameSession && existing!.State.SelfVideo,
            SelfStream: sameSession && existing!.State.SelfStream,
            // A moderator's mute and deafen follow the user around the server (Discord's).
            Mute: existing?.State.Mute ?? false, Deaf: existing?.State.Deaf ?? false,
            Suppress: !Permission.Has(permissions, Permission.Speak),
            Version: 0); // taken at the commit, in queue order
        return new Decision(call, existing, state, connectionId) { Member = member, Permissions = permissions };
    }

    private static Decision? DecideUpdate(VoiceCall call, StoredVoiceState? existing, Dictionary<string, GuildChannelAccess?> accessOf, Dictionary<string, GuildMember> memberOf)
    {
        var current = (existing ?? throw VoiceGrain.NotInVoice()).State;
        if ((call.SelfVideo && !current.SelfVideo) || (call.SelfStream && !current.SelfStream))
        {
            var (_, permissions) = VoiceAccess.Of(accessOf[current.ChannelId!], memberOf.GetValueOrDefault(call.UserId), call.UserId);
            if (!Permission.Has(permissions, Permission.Stream))
            {
                throw new ChatException(ErrorCodes.Forbidden, "You may not turn on a camera or share a screen in this channel.");
            }
        }

        if ((current.SelfMute, current.SelfDeaf, current.SelfVideo, current.SelfStream) == (call.SelfMute, call.SelfDeaf, call.SelfVideo, call.SelfStream))
        {
            call.Succeed(current);
            return null;
        }

        return new Decision(call, existing, current with { SelfMute = call.SelfMute, SelfDeaf = call.SelfDeaf, SelfVideo = call.SelfVideo, SelfStream = call.SelfStream }, existing.ConnectionId);
    }

    /// <summary>
    /// Binds each new session in its user's presence grain, all at once (a batch names a user
    /// once, so no two bindings of one user race). A join whose binding is refused (a connection
    /// that is not open) is refused; the joins decided after it counted it against the limit,
    /// which errs on the side of the limit. A join that keeps its session (a move within the
    /// server, or a join again, from the same connection) is bound already: the presence grain
    /// holds the session and its connection, which is all it decides on, so it is not asked (a
    /// grain call and a state write saved on about half the joins of the voice bench).
    /// </summary>
    private async Task BindAsync(List<Decision> decided)
    {
        await Task.WhenAll(decided.Where(d => d.Call.Kind == VoiceCallKind.Join && d.Existing?.State.SessionId != d.State!.SessionId).Select(async decision =>
        {
            try
            {
                var state = decision.State!;
                decision.Replaced = await Presence(state.UserId).BindVoice(new VoiceBinding(guildId, state.ChannelId!, state.SessionId, decision.ConnectionId));
            }
            catch (Exception refusal)
            {
                decision.Call.Refuse(refusal);
            }
        }));
    }

    /// <summary>What follows a committed call, then its answer: the user's other device or server, the media server, the presence grain.</summary>
    private async Task FinishAsync(Decision decision)
    {
        try
        {
            var existing = decision.Existing?.State;
            var state = decision.State is { } changed ? changed with { Version = decision.Version } : null;
            switch (decision.Call.Kind)
            {
                case VoiceCallKind.Join:
                    if (decision.Replaced is { } replaced && replaced.GuildId != guildId)
                    {
                        // One-way: the other server's voice grain ends its session without this one waiting.
                        await grains.GetGrain<IVoiceGrain>(replaced.GuildId).EndSession(state!.UserId, replaced.SessionId, VoiceEndReasons.Moved);
                    }
                    else if (existing is not null && existing.SessionId != state!.SessionId)
                    {
                        // A second device takes the session over: the first hears its session ended.
                        await TellUserAsync(existing, VoiceEndReasons.Moved);
                    }

                    if (existing?.ChannelId is { } oldChannel && oldChannel != state!.ChannelId)
                    {
                        // The old room's participant is not this session's any more (best effort, logged).
                        _ = media.RemoveParticipantAsync(VoiceLimits.RoomOf(guildId, oldChannel), state.UserId);
                    }

                    var token = media.SignParticipant(VoiceAccess.TicketOf(state!, decision.Member!, decision.Permissions));
                    LogJoined(logger, guildId, state!.ChannelId!, state.UserId, state.SessionId);
                    decision.Call.Succeed(new VoiceJoin(state.SessionId, guildId, state.ChannelId!, media.Endpoint!, token, state));
                    break;
                case VoiceCallKind.UpdateSelf:
                    decision.Call.Succeed(state);
                    break;
                default:
                    // Sent now and not awaited: the session has ended once committed and published, and
                    // the next batch need not wait on the presence grain's write (its p99 was 20 ms
                    // under load). Both are safe in either order with what follows: the presence
                    // grain unbinds only this session, and a later join binds a new one.
                    _ = TellEndedAsync(existing!, decision.Call.Reason!);
                    _ = media.RemoveParticipantAsync(VoiceLimits.RoomOf(guildId, existing!.ChannelId!), existing.UserId);
                    LogEnded(logger, guildId, existing.ChannelId!, existing.UserId, existing.SessionId, decision.Call.Reason!);
                    decision.Call.Succeed(null);
                    break;
            }
        }
        catch (Exception ex)
        {
            decision.Call.Refuse(ex);
        }
    }

    /// <summary>
    /// An ended session's aftermath: the user's devices hear it and the presence grain drops the
    /// binding, together. A failure is logged: the session is over either way (a binding left
    /// behind names a session this server no longer has, which ends nothing).
    /// </summary>
    private async Task TellEndedAsync(VoiceState ended, string reason)
    {
        try
        {
            await Task.WhenAll(TellUserAsync(ended, reason), Presence(ended.UserId).UnbindVoice(ended.SessionId));
        }
        catch (Exception ex)
        {
            LogEndNotTold(logger, ex, guildId, ended.UserId, ended.SessionId);
        }
    }

    private Task TellUserAsync(VoiceState state, string reason) =>
        userStream(state.UserId).OnNextAsync(new VoiceSessionEnded(state.UserId, guildId, state.ChannelId!, state.SessionId, reason));

    private IPresenceGrain Presence(string userId) => grains.GetGrain<IPresenceGrain>(userId);

    /// <summary>A call decided to change the state: <see cref="State"/> is what it leaves (null: the session ends).</summary>
    private sealed record Decision(VoiceCall Call, StoredVoiceState? Existing, VoiceState? State, string ConnectionId)
    {
        public GuildMember? Member { get; init; }
        public ulong Permissions { get; init; }
        public VoiceBinding? Replaced { get; set; }
        public long Version { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Voice: {UserId} joined {ChannelId} of server {GuildId} (session {SessionId})")]
    private static partial void LogJoined(ILogger logger, string guildId, string channelId, string userId, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Voice: the end of {UserId}'s session {SessionId} in server {GuildId} was not told to their devices or presence")]
    private static partial void LogEndNotTold(ILogger logger, Exception exception, string guildId, string userId, string sessionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Voice: {UserId} left {ChannelId} of server {GuildId} (session {SessionId}, {Reason})")]
    private static partial void LogEnded(ILogger logger, string guildId, string channelId, string userId, string sessionId, string reason);
}
