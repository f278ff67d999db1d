using Cryb.Errors;
using Cryb.Grains.Guilds;
using Cryb.Grains.Presence;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Presence;
using Cryb.Users;
using Cryb.Voice;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Cryb.Grains.Voice;

/// <summary>
/// A server's voice states: rows in <see cref="IVoiceStore"/>, held in memory while active. A join
/// asks the server grain for the channel's permission inputs and the member's row for their roles
/// (<see cref="GuildPermissions.InChannel"/>), binds the session in the user's presence grain (which
/// returns the session it replaced, ended here or in its server's grain), writes the row, publishes
/// <see cref="VoiceStateUpdated"/> on the server's stream and signs a token with <see cref="IVoiceMedia"/>.
/// Calls to other voice grains and from the presence grain are one-way (<see cref="IVoiceGrain.EndSession"/>),
/// so no two grains wait on each other.
/// </summary>
public sealed partial class VoiceGrain(
    IVoiceStore store,
    IGuildStore guilds,
    IVoiceMedia media,
    IOptions<PresenceOptions> presence,
    TimeProvider time,
    ILogger<VoiceGrain> logger) : Grain, IVoiceGrain
{
    /// <summary>LiveKit retries a webhook it got no answer to: the last ids seen, oldest first, are ignored again.</summary>
    private const int RememberedMediaEvents = 1024;

    private readonly Dictionary<string, StoredVoiceState> _states = new(StringComparer.Ordinal);
    private readonly HashSet<string> _mediaEvents = new(StringComparer.Ordinal);
    private readonly Queue<string> _mediaEventOrder = new();
    private IAsyncStream<GuildEvent> _events = null!;

    /// <summary>The voice states' own sequence, of the same kind as the server's (clock-following, seeded from the rows).</summary>
    private GuildVersions _versions = null!;

    /// <summary>
    /// The newest version whose change <c>_states</c> holds. Versions are taken and applied one call
    /// at a time, in order, but a snapshot read interleaves with a call that took one and is still
    /// writing its row: <see cref="GuildVersions.Last"/> could name a change not held yet.
    /// </summary>
    private long _applied;

    private string GuildId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _events = this.GetStreamProvider(StreamNames.Provider).GetStream<GuildEvent>(StreamId.Create(StreamNames.Guild, GuildId));
        _versions = new GuildVersions(time);
        foreach (var row in await store.ListAsync(GuildId))
        {
            _states[row.State.UserId] = row;
            _versions.Seen(row.State.Version);
            _applied = Math.Max(_applied, row.State.Version);
        }

        if (_states.Count > 0)
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

    public async Task<VoiceJoin> Join(Caller caller, string connectionId, string channelId, bool selfMute, bool selfDeaf)
    {
        var userId = RequireUser(caller);
        Ids.Require(channelId, "channelId");
        if (string.IsNullOrEmpty(connectionId))
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "connectionId is required.");
        }

        var endpoint = media.Endpoint ?? throw new ChatException(ErrorCodes.VoiceUnavailable, "Voice is not available on this server.");
        var (channel, member, permissions) = await AccessAsync(userId, channelId);
        if (channel.Type != GuildChannelType.Voice)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "Only a voice channel can be joined.");
        }

        if (!Permission.Has(permissions, Permission.Connect))
        {
            throw new ChatException(ErrorCodes.Forbidden, "You may not connect to this voice channel.");
        }

        var existing = _states.GetValueOrDefault(userId);
        var alreadyThere = existing?.State.ChannelId == channelId;
        if (!alreadyThere && channel.UserLimit > 0 && !Permission.Has(permissions, Permission.MoveMembers)
            && _states.Values.Count(row => row.State.ChannelId == channelId) >= channel.UserLimit)
        {
            throw new ChatException(ErrorCodes.VoiceChannelFull, $"This voice channel holds {channel.UserLimit} users.");
        }

        // The same connection keeps its session (a new token, or a move within the server); another
        // connection, here or from another server, starts a new one and ends the old.
        var sessionId = existing is not null && existing.ConnectionId == connectionId ? existing.State.SessionId : Guid.NewGuid().ToString("N");
        var replaced = await Presence(userId).BindVoice(new VoiceBinding(GuildId, channelId, sessionId, connectionId));
        if (replaced is not null && replaced.GuildId != GuildId)
        {
            await GrainFactory.GetGrain<IVoiceGrain>(replaced.GuildId).EndSession(userId, replaced.SessionId, VoiceEndReasons.Moved);
        }
        else if (existing is not null && existing.State.SessionId != sessionId)
        {
            // A second device takes the session over: the first hears its session ended.
            await TellUserAsync(existing.State, VoiceEndReasons.Moved);
        }

        var state = new VoiceState(
            GuildId, channelId, userId, sessionId,
            SelfMute: selfMute, SelfDeaf: selfDeaf,
            SelfVideo: alreadyThere && existing!.State.SessionId == sessionId && existing.State.SelfVideo,
            SelfStream: alreadyThere && existing!.State.SessionId == sessionId && existing.State.SelfStream,
            // A moderator's mute and deafen follow the user around the server (Discord's).
            Mute: existing?.State.Mute ?? false, Deaf: existing?.State.Deaf ?? false,
            Suppress: !Permission.Has(permissions, Permission.Speak),
            Version: _versions.Next());
        await SaveAsync(state, connectionId, existing?.State.ChannelId);
        if (existing is not null && existing.State.ChannelId != channelId)
        {
            // The old room's participant is not this session's any more (best effort, logged).
            _ = media.RemoveParticipantAsync(VoiceLimits.RoomOf(GuildId, existing.State.ChannelId!), userId);
        }

        var token = media.SignParticipant(TicketOf(state, member, permissions));
        LogJoined(GuildId, channelId, userId, sessionId);
        return new VoiceJoin(sessionId, GuildId, channelId, endpoint, token, state);
    }

    public async Task Leave(Caller caller)
    {
        var userId = RequireUser(caller);
        var existing = _states.GetValueOrDefault(userId) ?? throw NotInVoice();
        await EndAsync(existing, VoiceEndReasons.Left);
    }

    public async Task<VoiceState> UpdateSelf(Caller caller, bool selfMute, bool selfDeaf, bool selfVideo, bool selfStream)
    {
        var userId = RequireUser(caller);
        var existing = _states.GetValueOrDefault(userId) ?? throw NotInVoice();
        var current = existing.State;
        if ((selfVideo && !current.SelfVideo) || (selfStream && !current.SelfStream))
        {
            var (_, _, permissions) = await AccessAsync(userId, current.ChannelId!);
            if (!Permission.Has(permissions, Permission.Stream))
            {
                throw new ChatException(ErrorCodes.Forbidden, "You may not turn on a camera or share a screen in this channel.");
            }
        }

        if ((current.SelfMute, current.SelfDeaf, current.SelfVideo, current.SelfStream) == (selfMute, selfDeaf, selfVideo, selfStream))
        {
            return current;
        }

        var state = current with { SelfMute = selfMute, SelfDeaf = selfDeaf, SelfVideo = selfVideo, SelfStream = selfStream, Version = _versions.Next() };
        await SaveAsync(state, existing.ConnectionId, current.ChannelId);
        return state;
    }

    public async Task<VoiceState> Moderate(Caller caller, string userId, bool? mute, bool? deaf, string? moveToChannelId, bool disconnect)
    {
        Ids.Require(userId, "userId");
        var target = _states.GetValueOrDefault(userId) ?? throw new ChatException(ErrorCodes.NotInVoice, "That user is in no voice channel of this server.");
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
            Version = _versions.Next(),
        };
        if (state with { Version = current.Version } == current)
        {
            return current;
        }

        await SaveAsync(state, target.ConnectionId, current.ChannelId);
        var ticket = TicketOf(state, member, targetPermissions);
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
        await UserStream(userId).OnNextAsync(new VoiceServerUpdate(userId, GuildId, channelId, state.SessionId, media.Endpoint!, media.SignParticipant(ticket)));
        return state;
    }

    public async Task EndSession(string userId, string sessionId, string reason)
    {
        if (_states.GetValueOrDefault(userId) is { } existing && existing.State.SessionId == sessionId)
        {
            await EndAsync(existing, reason);
        }
    }

    public async Task Recheck(string? userId)
    {
        var rows = _states.Values.Where(row => userId is null || row.State.UserId == userId).ToArray();
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
            if (_states.GetValueOrDefault(row.State.UserId)?.State.SessionId != row.State.SessionId)
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
                var state = row.State with { Suppress = !row.State.Suppress, Version = _versions.Next() };
                await SaveAsync(state, row.ConnectionId, state.ChannelId);
                var ticket = TicketOf(state, member!, permissions);
                _ = media.UpdateParticipantAsync(ticket);
                await UserStream(state.UserId).OnNextAsync(new VoiceServerUpdate(state.UserId, GuildId, state.ChannelId!, state.SessionId, media.Endpoint!, media.SignParticipant(ticket)));
            }
        }
    }

    public async Task MediaLeft(ServiceCredential gateway, string eventId, string userId, string sessionId)
    {
        if (FirstSeen(eventId) && _states.GetValueOrDefault(userId) is { } row && row.State.SessionId == sessionId)
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

        foreach (var row in _states.Values.Where(row => row.State.ChannelId == channelId && row.UpdatedAt < finishedAt).ToArray())
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

    public Task<VoiceSnapshot> GetSnapshot(ServiceCredential gateway) =>
        Task.FromResult(new VoiceSnapshot(_states.Values.Select(row => row.State).OrderBy(state => state.UserId, StringComparer.Ordinal).ToArray(), _applied));

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
        var version = _versions.Next();
        _states.Remove(state.UserId);
        _applied = version;
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
        _states[state.UserId] = row;
        _applied = Math.Max(_applied, state.Version);
        await _events.OnNextAsync(new VoiceStateUpdated(state, fromChannelId));
    }

    private Task TellUserAsync(VoiceState state, string reason) =>
        UserStream(state.UserId).OnNextAsync(new VoiceSessionEnded(state.UserId, GuildId, state.ChannelId!, state.SessionId, reason));

    private IAsyncStream<UserEvent> UserStream(string userId) =>
        this.GetStreamProvider(StreamNames.Provider).GetStream<UserEvent>(StreamId.Create(StreamNames.User, userId));

    /// <summary>What the user's token allows in the state's channel: publish with speak unless a moderator muted them, subscribe unless deafened, camera and screen with stream.</summary>
    private VoiceTicket TicketOf(VoiceState state, GuildMember member, ulong permissions) =>
        new(VoiceLimits.RoomOf(GuildId, state.ChannelId!), state.UserId, member.Nickname ?? member.Name, state.SessionId,
            CanPublish: !state.Suppress && !state.Mute,
            CanSubscribe: !state.Deaf,
            MayStream: Permission.Has(permissions, Permission.Stream));

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
        // Both reads at once: the grain takes one call at a time, so each call's wait is the
        // server's ceiling (the voice bench: every actor waiting on an answer at 60 to 83 calls/s).
        var accessRead = GrainFactory.GetGrain<IGuildGrain>(GuildId).GetChannelAccess(channelId);
        var memberRead = guilds.GetMemberAsync(GuildId, userId);
        await Task.WhenAll(accessRead, memberRead);
        var access = await accessRead;
        var member = await memberRead;
        if (member is null)
        {
            throw new ChatException(ErrorCodes.GuildNotFound, "No such server.");
        }

        var permissions = access is null ? 0 : GuildPermissions.InChannel(access.Access, userId, member.RoleIds);
        if (!Permission.Has(permissions, Permission.ViewChannel))
        {
            throw new ChatException(ErrorCodes.ChannelNotFound, "No such channel in this server.");
        }

        return (access!.Channel, member, permissions);
    }

    private async Task CheckSessionsAsync(CancellationToken cancellationToken)
    {
        foreach (var row in _states.Values.ToArray())
        {
            if (!await Presence(row.State.UserId).IsVoiceSessionLive(row.State.SessionId)
                && _states.GetValueOrDefault(row.State.UserId)?.State.SessionId == row.State.SessionId)
            {
                await EndAsync(row, VoiceEndReasons.Disconnected);
            }
        }
    }

    private IPresenceGrain Presence(string userId) => GrainFactory.GetGrain<IPresenceGrain>(userId);

    private static string RequireUser(Caller caller) =>
        caller.Kind == CallerKind.User ? caller.Id : throw new ChatException(ErrorCodes.Forbidden, "Voice is joined by users, from a gateway connection.");

    private static ChatException NotInVoice() => new(ErrorCodes.NotInVoice, "You are in no voice channel of this server.");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Voice: {UserId} joined {ChannelId} of server {GuildId} (session {SessionId})")]
    private partial void LogJoined(string guildId, string channelId, string userId, string sessionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Voice: {UserId} left {ChannelId} of server {GuildId} (session {SessionId}, {Reason})")]
    private partial void LogEnded(string guildId, string channelId, string userId, string sessionId, string reason);
}
