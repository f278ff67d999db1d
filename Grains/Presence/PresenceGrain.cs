using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Limits;
using Cryb.Grains.Telemetry;
using Cryb.Identity;
using Cryb.Presence;
using Cryb.Relationships;
using Cryb.Users;
using Cryb.Voice;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cryb.Grains.Presence;

/// <summary>
/// A user's presence. Live connections are held in memory only; the chosen status, activity and
/// lastSeenAt persist, written only when the user changes them or goes offline, so a flapping
/// connection costs no writes. Every change schedules one broadcast after <see cref="PresenceOptions.Coalesce"/>:
/// a burst of changes goes out once, and only if what others see changed, through the user's
/// presence feed (<see cref="PresenceFeedGrain"/>) to every gateway. Idleness and the end of the
/// grace period are decided by the clock: the timers announce them, and a <c>Get</c> between two
/// ticks already sees them.
/// </summary>
public sealed class PresenceGrain(
    [PersistentState("presence", StorageNames.Default)] IPersistentState<PresenceState> state,
    IOptions<PresenceOptions> options,
    IOptions<LimitOptions> limits,
    SiloMetrics metrics,
    TimeProvider time,
    ILogger<PresenceGrain> logger) : Grain, IPresenceGrain
{
    private readonly Dictionary<string, LiveConnection> _connections = [];
    private bool _offline = true;
    private bool _autoIdle;
    private IGrainTimer? _offlineTimer;
    private DateTimeOffset? _graceEndsAt;
    private IGrainTimer? _idleTimer;
    private IGrainTimer? _broadcastTimer;
    private PresenceInfo? _lastPublished;
    private long _lastVersion;

    /// <summary>The voice binding's connection went: the session ends when this grace timer fires, unless it came back.</summary>
    private IGrainTimer? _voiceGraceTimer;

    /// <summary>When the last connection closed (or this activation started, before any); null while one is open.</summary>
    private DateTimeOffset? _awaySince;

    private string UserId => this.GetPrimaryKeyString();
    private PresenceOptions Options => options.Value;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // What others saw before this activation is what storage says: offline, since nobody is
        // connected to a fresh activation. Nothing to announce until that changes.
        _lastPublished = View();
        _awaySince = time.GetUtcNow();
        if (state.State.Voice is not null)
        {
            // A lost silo's successor: the gateways register their connections again within the
            // grace period; a voice session whose connection is not among them ends then.
            StartVoiceGrace();
        }

        return Task.CompletedTask;
    }

    public async Task<PresenceInfo> Connect(Caller caller, PresenceConnection connection)
    {
        RequireSelf(caller);
        // Counted here, where every connection of the user on every gateway is known.
        if (!_connections.ContainsKey(connection.ConnectionId) && _connections.Count >= limits.Value.MaxConnectionsPerUser)
        {
            throw new ChatException(ErrorCodes.TooManyConnections,
                $"A user may have {limits.Value.MaxConnectionsPerUser} connections open at once; close one first.");
        }

        _connections[connection.ConnectionId] = new LiveConnection(connection.GatewayId, connection.Device, time.GetUtcNow());
        _awaySince = null;
        StopGrace();
        if (_offline)
        {
            _offline = false;
            metrics.UserOnline();
        }

        StartIdleTimer();
        await GrainFactory.GetGrain<IGatewayLeaseGrain>(connection.GatewayId).Track(UserId);
        ScheduleBroadcast();
        return View();
    }

    public Task Disconnect(Caller caller, string connectionId)
    {
        RequireSelf(caller);
        var known = _connections.Remove(connectionId);
        NoteAway();
        if (state.State.Voice?.ConnectionId == connectionId)
        {
            StartVoiceGrace();
        }
        // A connection this activation never heard of, with nobody connected: the activation that
        // knew it was lost with its silo before the gateway registered it again, and others may
        // still see the user online. Going offline after the grace period tells them.
        if (_connections.Count == 0 && (known || _offlineTimer is null))
        {
            // Not offline yet: a reload or a reconnect to another gateway within the grace period
            // shows nothing to anyone.
            _offlineTimer?.Dispose();
            var endsAt = time.GetUtcNow() + Options.OfflineGrace;
            _graceEndsAt = endsAt;
            _offlineTimer = this.RegisterGrainTimer(EndGraceAsync, endsAt, new GrainTimerCreationOptions
            {
                DueTime = Options.OfflineGrace,
                Period = Timeout.InfiniteTimeSpan,
            });
        }

        ScheduleBroadcast();
        return Task.CompletedTask;
    }

    public Task ReportActivity(Caller caller, string connectionId)
    {
        RequireSelf(caller);
        if (_connections.TryGetValue(connectionId, out var connection))
        {
            _connections[connectionId] = connection with { LastActivity = time.GetUtcNow() };
            if (_autoIdle)
            {
                _autoIdle = false;
                ScheduleBroadcast();
            }
        }

        return Task.CompletedTask;
    }

    public async Task<PresenceInfo> SetPresence(Caller caller, PresenceStatus status, PresenceActivity? activity)
    {
        RequireSelf(caller);
        if (status is PresenceStatus.Offline || !Enum.IsDefined(status))
        {
            throw new ChatException(ErrorCodes.InvalidStatus, "Status is online, idle, dnd or invisible.");
        }

        if (activity is not null && (!Enum.IsDefined(activity.Kind) || string.IsNullOrWhiteSpace(activity.Name)
            || activity.Name.Length > PresenceLimits.MaxActivityNameLength || activity.Name.Any(char.IsControl)))
        {
            throw new ChatException(ErrorCodes.InvalidArgument,
                $"An activity is a kind (playing, listening, watching, custom) and a name of 1 to {PresenceLimits.MaxActivityNameLength} characters.");
        }

        state.State.Chosen = status;
        state.State.Activity = activity is null ? null : activity with { Name = activity.Name.Trim() };
        await state.WriteOrDeactivateAsync(this, logger);
        ScheduleBroadcast();
        return View();
    }

    public async Task<PresenceInfo> Get(Caller caller)
    {
        if (caller.MemberId != UserId && !await IsRelatedAsync(caller))
        {
            // Presence is seen only through a shared channel; outsiders learn nothing, not even "offline".
            throw new ChatException(ErrorCodes.Forbidden, "You share no channel, server or friendship with this user.");
        }

        if (_graceEndsAt is { } endsAt && endsAt <= time.GetUtcNow())
        {
            await EndGraceAsync(endsAt, CancellationToken.None);
        }

        NoticeIdleness();
        return View();
    }

    public async Task GatewayLost(string gatewayId)
    {
        var lost = _connections.Where(c => c.Value.GatewayId == gatewayId).Select(c => c.Key).ToArray();
        foreach (var connectionId in lost)
        {
            _connections.Remove(connectionId);
        }

        NoteAway();

        // The lease already waited longer than the grace period: no second wait.
        if (state.State.Voice is { } voice && lost.Contains(voice.ConnectionId))
        {
            await EndVoiceAsync(voice);
        }

        if (lost.Length > 0 && _connections.Count == 0)
        {
            await GoOfflineAsync();
        }
    }

    public async Task<VoiceBinding?> BindVoice(VoiceBinding binding)
    {
        if (!_connections.ContainsKey(binding.ConnectionId))
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "Voice is joined from a connection of the user's that is open.");
        }

        var previous = state.State.Voice;
        if (previous == binding)
        {
            return null;
        }

        state.State.Voice = binding;
        await state.WriteOrDeactivateAsync(this, logger);
        StopVoiceGrace();
        return previous is not null && previous.SessionId != binding.SessionId ? previous : null;
    }

    public async Task UnbindVoice(string sessionId)
    {
        if (state.State.Voice?.SessionId == sessionId)
        {
            state.State.Voice = null;
            StopVoiceGrace();
            await state.WriteOrDeactivateAsync(this, logger);
        }
    }

    public Task<bool> IsVoiceSessionLive(string sessionId) =>
        Task.FromResult(state.State.Voice is { } voice && voice.SessionId == sessionId
            && (_connections.ContainsKey(voice.ConnectionId) || _voiceGraceTimer is not null));

    public Task<DateTimeOffset?> AwaySince() => Task.FromResult(_awaySince);

    /// <summary>The last connection closed: the user is away from now (not from the end of the offline grace, which is about what others see).</summary>
    private void NoteAway()
    {
        if (_connections.Count == 0)
        {
            _awaySince ??= time.GetUtcNow();
        }
    }

    public Task<VoiceBinding?> GetVoice(Caller caller)
    {
        RequireSelf(caller);
        return Task.FromResult(state.State.Voice);
    }

    /// <summary>
    /// Gives the voice binding's connection the grace period to come back (a lost silo's gateways
    /// registering it again); the session ends after it otherwise. KeepAlive: an activation
    /// collected meanwhile would leave the session to the next one's activation check.
    /// </summary>
    private void StartVoiceGrace()
    {
        _voiceGraceTimer?.Dispose();
        _voiceGraceTimer = this.RegisterGrainTimer(EndVoiceGraceAsync, new GrainTimerCreationOptions
        {
            DueTime = Options.OfflineGrace,
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = true,
        });
    }

    private void StopVoiceGrace()
    {
        _voiceGraceTimer?.Dispose();
        _voiceGraceTimer = null;
    }

    private async Task EndVoiceGraceAsync(CancellationToken cancellationToken)
    {
        StopVoiceGrace();
        if (state.State.Voice is { } voice && !_connections.ContainsKey(voice.ConnectionId))
        {
            await EndVoiceAsync(voice);
        }
    }

    /// <summary>
    /// The session's connection is gone: forget the binding and tell the server's voice grain,
    /// one-way (that grain may be waiting on this one to bind another session).
    /// </summary>
    private async Task EndVoiceAsync(VoiceBinding voice)
    {
        StopVoiceGrace();
        state.State.Voice = null;
        await state.WriteOrDeactivateAsync(this, logger);
        await GrainFactory.GetGrain<IVoiceGrain>(voice.GuildId).EndSession(UserId, voice.SessionId, VoiceEndReasons.Disconnected);
    }

    /// <summary>What others see: invisible is offline, and a user chosen online with no activity for a while is idle.</summary>
    private PresenceInfo View()
    {
        if (_offline || state.State.Chosen == PresenceStatus.Invisible)
        {
            return new PresenceInfo(UserId, PresenceStatus.Offline, null, [], state.State.LastSeenAt);
        }

        var status = state.State.Chosen == PresenceStatus.Online && _autoIdle ? PresenceStatus.Idle : state.State.Chosen;
        var devices = _connections.Values.Select(c => c.Device).Distinct().Order().ToArray();
        return new PresenceInfo(UserId, status, state.State.Activity, devices, null);
    }

    /// <summary>
    /// The grace period that ends at <paramref name="endsAt"/> is over: offline if nobody came back.
    /// A tick for a grace period already ended or cut short by a reconnect does nothing.
    /// </summary>
    private async Task EndGraceAsync(DateTimeOffset endsAt, CancellationToken cancellationToken)
    {
        if (_graceEndsAt != endsAt)
        {
            return;
        }

        StopGrace();
        if (_connections.Count == 0)
        {
            await GoOfflineAsync();
        }
    }

    private void StopGrace()
    {
        _offlineTimer?.Dispose();
        _offlineTimer = null;
        _graceEndsAt = null;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!_offline)
        {
            metrics.UserOffline(); // this silo no longer counts the user; the next activation will
        }

        return Task.CompletedTask;
    }

    private async Task GoOfflineAsync()
    {
        if (!_offline)
        {
            metrics.UserOffline();
        }

        _offline = true;
        _autoIdle = false;
        _idleTimer?.Dispose();
        _idleTimer = null;
        state.State.LastSeenAt = time.GetUtcNow();
        await state.WriteOrDeactivateAsync(this, logger);
        ScheduleBroadcast();
    }

    private void StartIdleTimer()
    {
        // KeepAlive while connected: an activation collected for idleness would forget the connections.
        var period = TimeSpan.FromTicks(Math.Clamp(Options.IdleAfter.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(30).Ticks));
        _idleTimer ??= this.RegisterGrainTimer(CheckIdleAsync, new GrainTimerCreationOptions
        {
            DueTime = period,
            Period = period,
            KeepAlive = true,
        });
    }

    private Task CheckIdleAsync(CancellationToken cancellationToken)
    {
        NoticeIdleness();
        return Task.CompletedTask;
    }

    private void NoticeIdleness()
    {
        if (!_autoIdle && _connections.Count > 0
            && time.GetUtcNow() - _connections.Values.Max(c => c.LastActivity) >= Options.IdleAfter)
        {
            _autoIdle = true;
            ScheduleBroadcast();
        }
    }

    private void ScheduleBroadcast() =>
        _broadcastTimer ??= this.RegisterGrainTimer(BroadcastAsync, new GrainTimerCreationOptions
        {
            DueTime = Options.Coalesce,
            Period = Timeout.InfiniteTimeSpan,
        });

    private async Task BroadcastAsync(CancellationToken cancellationToken)
    {
        _broadcastTimer?.Dispose();
        _broadcastTimer = null;
        var view = View();
        if (view.Equals(_lastPublished))
        {
            return;
        }

        _lastPublished = view;
        // Monotonic across activations of this grain, so gateways can tell copies of one change apart.
        var version = _lastVersion = Math.Max(_lastVersion + 1, time.GetUtcNow().UtcTicks);
        var user = GrainFactory.GetGrain<IUserGrain>(UserId);
        var channelIds = user.GetChannelIds();
        var guildIds = user.GetGuildIds();
        var friendIds = GrainFactory.GetGrain<IRelationshipGrain>(UserId).GetFriendIds();
        await Task.WhenAll(channelIds, guildIds, friendIds);
        // One announcement, whatever the number of channels: the feed pushes it once to each
        // gateway, and each gateway sends it to its connections that share one of these channels.
        await GrainFactory.GetGrain<IPresenceFeedGrain>(PresenceFeeds.KeyOf(UserId))
            .Announce(new PresenceChanged(view, await channelIds, version) { CommittedAt = time.GetUtcNow(), GuildIds = await guildIds, FriendIds = await friendIds });
    }

    private async Task<bool> IsRelatedAsync(Caller caller)
    {
        if (caller.Kind != CallerKind.User)
        {
            return false;
        }

        // Friends see each other anywhere; a user this one blocked, nowhere (as the gateways' fan-out).
        var mine = (await GrainFactory.GetGrain<IRelationshipGrain>(UserId).KindsWith(caller.Id)).Mine;
        if (mine is RelationshipKind.Friend or RelationshipKind.Blocked)
        {
            return mine == RelationshipKind.Friend;
        }

        var me = GrainFactory.GetGrain<IUserGrain>(UserId);
        var them = GrainFactory.GetGrain<IUserGrain>(caller.Id);
        return (await me.GetChannelIds()).Intersect(await them.GetChannelIds()).Any()
            || (await me.GetGuildIds()).Intersect(await them.GetGuildIds()).Any();
    }

    private void RequireSelf(Caller caller)
    {
        if (caller.Kind != CallerKind.User || caller.Id != UserId)
        {
            throw new ChatException(ErrorCodes.Forbidden, "Only the user sets their own presence.");
        }
    }

    private sealed record LiveConnection(string GatewayId, DeviceKind Device, DateTimeOffset LastActivity);
}
