using Cryb.Grains.Streaming;
using Cryb.Errors;
using Cryb.Grains.Guilds;
using Cryb.Grains.Presence;
using Cryb.Grains.Storage;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Presence;
using Cryb.Users;
using Cryb.Voice;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Streams;

namespace Cryb.Grains.Voice;

/// <summary>
/// A server's voice states: rows in <see cref="IVoiceStore"/>, held in memory while active
/// (<see cref="VoiceBook"/>). Joins, leaves, self updates and session ends interleave and queue
/// (a <see cref="GroupCommitQueue{T}"/>, as a channel's sends), and each batch is decided in queue order and committed at once
/// (<see cref="VoiceBatchCommit"/>): the server grain's permission inputs and the member rows read
/// together where <see cref="VoiceAccessCache"/> does not hold them already, the presence bindings (the presence grain returns the session a join replaced, ended
/// here or in its server's grain) made together, the rows written in one commit, the
/// <see cref="VoiceStateUpdated"/> events published in order on the server's stream, each join
/// answered with a token signed by <see cref="IVoiceMedia"/>. The grain's other calls (moderation,
/// rechecks, the media server's hints) run between batches, one at a time.
/// Calls to other voice grains and from the presence grain are one-way (<see cref="IVoiceGrain.EndSession"/>),
/// so no two grains wait on each other.
/// </summary>
public sealed partial class VoiceGrain(
    IVoiceStore store,
    IGuildStore guilds,
    IVoiceMedia media,
    IOptions<PresenceOptions> presence,
    TimeProvider time,
    ILogger<VoiceGrain> logger) : Grain, IVoiceGrain, IIncomingGrainCallFilter
{
    /// <summary>LiveKit retries a webhook it got no answer to: the last ids seen, oldest first, are ignored again.</summary>
    private const int RememberedMediaEvents = 1024;

    /// <summary>
    /// Calls per batch at most: bounds a batch's statement and the wait of its last call. A batch
    /// holds what queued during the previous one's commit, usually far fewer.
    /// </summary>
    private const int MaxCallBatch = 256;

    private readonly HashSet<string> _mediaEvents = new(StringComparer.Ordinal);
    private readonly Queue<string> _mediaEventOrder = new();
    private IAsyncStream<GuildEvent> _events = null!;
    private VoiceBook _book = null!;
    private readonly VoiceAccessCache _access = new();
    private GroupCommitQueue<VoiceCall> _calls = null!;

    private string GuildId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _events = this.GetStreamProvider(StreamNames.Provider).GetStream<GuildEvent>(StreamId.Create(StreamNames.Guild, GuildId));
        _book = new VoiceBook(time);
        _book.Load(await store.ListAsync(GuildId));
        var commit = new VoiceBatchCommit(GuildId, _book, _access, store, guilds, media, GrainFactory, _events, userId => this.UserStream(userId), time, logger);
        // One call per user per batch: a user's next call is decided against what the previous one left.
        _calls = new GroupCommitQueue<VoiceCall>(commit.CommitAsync, MaxCallBatch, call => call.UserId);

        if (_book.Rows.Count > 0)
        {
            // Rows a lost activation left: their sessions' connections may have gone with it, and
            // the presence grains may have ended them while this grain was not there to hear it.
            // After one grace period (gateways re-register connections within it) each row's
            // presence grain says whether the session still holds; those that do not end here.
            this.RegisterGrainTimer(CheckSessionsAsync, new GrainTimerCreationOptions
            {
                DueTime = presence.Value.OfflineGrace,
                Period = Timeout.InfiniteTimeSpan,
            });
        }
    }

    /// <summary>
    /// Runs each call that does not interleave (every one but the queued calls and snapshots)
    /// between batches (<see cref="GroupCommitQueue{T}.PauseAsync"/>), so it sees settled states and
    /// its versions and events follow those of the calls queued before it.
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.IsDefined(typeof(AlwaysInterleaveAttribute), inherit: false) == true)
        {
            await context.Invoke();
            return;
        }

        using var pause = await _calls.PauseAsync();
        await context.Invoke();
    }

    public async Task<VoiceJoin> Join(Caller caller, string connectionId, string channelId, bool selfMute, bool selfDeaf)
    {
        var userId = RequireUser(caller);
        Ids.Require(channelId, "channelId");
        if (string.IsNullOrEmpty(connectionId))
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "connectionId is required.");
        }

        _ = media.Endpoint ?? throw new ChatException(ErrorCodes.VoiceUnavailable, "Voice is not available on this server.");
        return (VoiceJoin)(await CallAsync(VoiceCall.Join(userId, connectionId, channelId, selfMute, selfDeaf)))!;
    }

    public async Task Leave(Caller caller) => await CallAsync(VoiceCall.Leave(RequireUser(caller)));

    public async Task<VoiceState> UpdateSelf(Caller caller, bool selfMute, bool selfDeaf, bool selfVideo, bool selfStream) =>
        (VoiceState)(await CallAsync(VoiceCall.UpdateSelf(RequireUser(caller), selfMute, selfDeaf, selfVideo, selfStream)))!;

    public async Task<VoiceState> Moderate(Caller caller, string userId, bool? mute, bool? deaf, string? moveToChannelId, bool disconnect)
    {
        Ids.Require(userId, "userId");
        var target = _book.Get(userId) ?? throw new ChatException(ErrorCodes.NotInVoice, "That user is in no voice channel of this server.");
        var current = target.State;
        var (_, _, permissions) = await AccessAsync(caller.MemberId, current.ChannelId!);
        RequireFor(mute is { } m && m != current.Mute, permissions, Permission.MuteMembers, "mute members");
        RequireFor(deaf is { } d && d != current.Deaf, permissions, Permission.DeafenMembers, "deafen members");
        var moving = moveToChannelId is not null && moveToChannelId != current.ChannelId;
        RequireFor(moving || disconnect, permissions, Permission.MoveMembers, "move members");
        if (disconnect)
        {
            await EndAsync(target, VoiceEndReasons.Moderator);
            return current with { ChannelId = null };
        }

        var channelId = current.ChannelId!;
        if (moving)
        {
            var (channel, _, there) = await AccessAsync(caller.MemberId, Ids.Require(moveToChannelId, "moveToChannelId"));
            if (channel.Type != GuildChannelType.Voice)
            {
                throw new ChatException(ErrorCodes.InvalidArgument, "Members are moved to a voice channel.");
            }

            RequireFor(true, there, Permission.Connect, "connect to the channel moved to");
            channelId = channel.Id;
        }

        GuildMember member;
        ulong targetPermissions;
        try
        {
            (_, member, targetPermissions) = await AccessAsync(userId, channelId);
        }
        catch (ChatException refused) when (refused.Code is ErrorCodes.ChannelNotFound or ErrorCodes.GuildNotFound)
        {
            throw new ChatException(ErrorCodes.Forbidden, "That user may not be in that channel.");
        }

        if (!Permission.Has(targetPermissions, Permission.Connect))
        {
            throw new ChatException(ErrorCodes.Forbidden, "That user may not connect to that channel.");
        }

        var state = current with
        {
            ChannelId = channelId,
            Mute = mute ?? current.Mute,
            Deaf = deaf ?? current.Deaf,
            Suppress = !Permission.Has(targetPermissions, Permission.Speak),
            Version = _book.NextVersion(),
        };
        if (state with { Version = current.Version } == current)
        {
            return current;
        }

        await SaveAsync(state, target.ConnectionId, current.ChannelId);
        var ticket = VoiceAccess.TicketOf(state, member, targetPermissions);
        if (moving)
        {
            _ = media.RemoveParticipantAsync(VoiceLimits.RoomOf(GuildId, current.ChannelId!), userId);
        }
        else
        {
            // The participant already in the room loses (or regains) publishing and subscribing now.
            _ = media.UpdateParticipantAsync(ticket);
        }

        // The device reconnects its media with a token that says the same.
        await this.UserStream(userId).OnNextAsync(new VoiceServerUpdate(userId, GuildId, channelId, state.SessionId, media.Endpoint!, media.SignParticipant(ticket)));
        return state;
    }

    public async Task EndSession(string userId, string sessionId, string reason) =>
        await CallAsync(VoiceCall.EndSession(userId, sessionId, reason));

    public Task ForgetAccess(string? userId)
    {
        _access.Forget(userId);
        return Task.CompletedTask;
    }

    public async Task Recheck(string? userId)
    {
        var rows = _book.Rows.Where(row => userId is null || row.State.UserId == userId).ToArray();
        var guild = GrainFactory.GetGrain<IGuildGrain>(GuildId);
        var accessOf = new Dictionary<string, GuildChannelAccess?>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var channelId = row.State.ChannelId!;
            if (!accessOf.TryGetValue(channelId, out var access))
            {
                access = accessOf[channelId] = await guild.GetChannelAccess(channelId);
            }

            var member = access is null ? null : await guilds.GetMemberAsync(GuildId, row.State.UserId);
            var permissions = access is null || member is null ? 0 : GuildPermissions.InChannel(access.Access, row.State.UserId, member.RoleIds);
            if (_book.Get(row.State.UserId)?.State.SessionId != row.State.SessionId)
            {
                continue; // ended or replaced while this looked things up
            }

            if (!Permission.Has(permissions, Permission.ViewChannel | Permission.Connect))
            {
                await EndAsync(row, access is null ? VoiceEndReasons.ChannelDeleted : VoiceEndReasons.Permission);
            }
            else if (row.State.Suppress == Permission.Has(permissions, Permission.Speak))
            {
                // Speak came or went: members see it, and the user's media gets a grant that says it.
                var state = row.State with { Suppress = !row.State.Suppress, Version = _book.NextVersion() };
                await SaveAsync(state, row.ConnectionId, state.ChannelId);
                var ticket = VoiceAccess.TicketOf(state, member!, permissions);
                _ = media.UpdateParticipantAsync(ticket);
                await this.UserStream(state.UserId).OnNextAsync(new VoiceServerUpdate(state.UserId, GuildId, state.ChannelId!, state.SessionId, media.Endpoint!, media.SignParticipant(ticket)));
            }
        }
    }

    public async Task MediaLeft(ServiceCredential gateway, string eventId, string userId, string sessionId)
    {
        if (FirstSeen(eventId) && _book.Get(userId) is { } row && row.State.SessionId == sessionId)
        {
            await EndAsync(row, VoiceEndReasons.MediaLeft);
        }
    }

    public async Task MediaRoomFinished(ServiceCredential gateway, string eventId, string channelId, DateTimeOffset finishedAt)
    {
        if (!FirstSeen(eventId))
        {
            return;
        }

        foreach (var row in _book.Rows.Where(row => row.State.ChannelId == channelId && row.UpdatedAt < finishedAt).ToArray())
        {
            await EndAsync(row, VoiceEndReasons.MediaLeft);
        }
    }

    /// <summary>Whether the media event is new here (remembered from now on).</summary>
    private bool FirstSeen(string eventId)
    {
        if (!_mediaEvents.Add(eventId))
        {
            return false;
        }

        _mediaEventOrder.Enqueue(eventId);
        if (_mediaEventOrder.Count > RememberedMediaEvents)
        {
            _mediaEvents.Remove(_mediaEventOrder.Dequeue());
        }

        return true;
    }

    public Task<VoiceSnapshot> GetSnapshot(ServiceCredential gateway) => Task.FromResult(_book.Snapshot());

    /// <summary>
    /// Ends a session: the row goes, members see the user leave, the user's devices hear why, the
    /// presence grain forgets the binding (if it is still this session) and the media server drops
    /// the participant (best effort, logged: a token already handed out still admits its holder
    /// until it expires, so the media server is told rather than trusted to notice).
    /// </summary>
    private async Task EndAsync(StoredVoiceState existing, string reason)
    {
        var state = existing.State;
        await store.DeleteAsync(GuildId, state.UserId, state.SessionId);
        var version = _book.NextVersion();
        _book.Remove(state.UserId, version);
        await _events.OnNextAsync(new VoiceStateUpdated(state with { ChannelId = null, Version = version }, state.ChannelId));
        // The user's devices and the presence grain do not depend on each other: told together.
        await Task.WhenAll(TellUserAsync(state, reason), Presence(state.UserId).UnbindVoice(state.SessionId));
        _ = media.RemoveParticipantAsync(VoiceLimits.RoomOf(GuildId, state.ChannelId!), state.UserId);
        LogEnded(GuildId, state.ChannelId!, state.UserId, state.SessionId, reason);
    }

    /// <summary>Writes the row, then publishes: a member never sees a state that a lost silo would forget.</summary>
    private async Task SaveAsync(VoiceState state, string connectionId, string? fromChannelId)
    {
        var row = new StoredVoiceState(state, connectionId, time.GetUtcNow());
        await store.UpsertAsync(row);
        _book.Put(row);
        await _events.OnNextAsync(new VoiceStateUpdated(state, fromChannelId));
    }

    private Task TellUserAsync(VoiceState state, string reason) =>
        this.UserStream(state.UserId).OnNextAsync(new VoiceSessionEnded(state.UserId, GuildId, state.ChannelId!, state.SessionId, reason));

    private static void RequireFor(bool wanted, ulong permissions, ulong permission, string what)
    {
        if (wanted && !Permission.Has(permissions, permission))
        {
            throw new ChatException(ErrorCodes.Forbidden, $"You may not {what} here.");
        }
    }

    /// <summary>The channel, the caller's member row and their permissions there; a hidden channel is not found, as a non-member's server is not.</summary>
    private async Task<(GuildChannel Channel, GuildMember Member, ulong Permissions)> AccessAsync(string userId, string channelId)
    {
        var accessRead = GrainFactory.GetGrain<IGuildGrain>(GuildId).GetChannelAccess(channelId);
        var memberRead = guilds.GetMemberAsync(GuildId, userId);
        await Task.WhenAll(accessRead, memberRead);
        var member = await memberRead;
        var (channel, permissions) = VoiceAccess.Of(await accessRead, member, userId);
        return (channel, member!, permissions);
    }

    private async Task CheckSessionsAsync(CancellationToken cancellationToken)
    {
        // A timer's tick is no call: it waits for the batch in flight and holds the next back itself.
        using var pause = await _calls.PauseAsync();
        foreach (var row in _book.Rows.ToArray())
        {
            if (!await Presence(row.State.UserId).IsVoiceSessionLive(row.State.SessionId)
                && _book.Get(row.State.UserId)?.State.SessionId == row.State.SessionId)
            {
                await EndAsync(row, VoiceEndReasons.Disconnected);
            }
        }
    }

    private IPresenceGrain Presence(string userId) => GrainFactory.GetGrain<IPresenceGrain>(userId);


    /// <summary>Queues the call for the next batch and waits for its answer.</summary>
    private Task<object?> CallAsync(VoiceCall call)
    {
        _calls.Enqueue(call);
        return call.Answer;
    }
    private static string RequireUser(Caller caller) =>
        caller.Kind == CallerKind.User ? caller.Id : throw new ChatException(ErrorCodes.Forbidden, "Voice is joined by users, from a gateway connection.");

    internal static ChatException NotInVoice() => new(ErrorCodes.NotInVoice, "You are in no voice channel of this server.");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Voice: {UserId} left {ChannelId} of server {GuildId} (session {SessionId}, {Reason})")]
    private partial void LogEnded(string guildId, string channelId, string userId, string sessionId, string reason);
}
