using System.Diagnostics;
using Cryb.Channels;
using Cryb.Gateway.Hubs;
using Cryb.Guilds;
using Cryb.Presence;
using Cryb.Voice;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// One server on this gateway: its structure (<see cref="GuildView"/>, read from the server's grain
/// once per subscription and again after each structural event), the roles of its local members,
/// and, for small servers, its member list. From them it decides which of the server's text channels
/// each local connection is in, and makes the registry say so (<see cref="GuildFanout"/> does the
/// subscribing and the telling).
/// </summary>
/// <remarks>
/// Two locks, for two reasons. <see cref="_gate"/> (async) serializes the server's stream events and
/// the grain calls that refresh the view, as <see cref="ChannelFeed"/>'s does. <see cref="_sync"/>
/// makes each visibility decision and the registry change it leads to one step: a channel's own
/// stream takes a member out (<see cref="ApplyChannelAccess"/>, from inside that channel's feed)
/// without waiting for the gate, so a slow view refresh never holds up a channel's events, and a
/// recomputation from an older view cannot put back a connection the channel's newer access took out
/// (each channel is judged by the newer of the view's and the channel stream's access).
/// </remarks>
public sealed class GuildFeed(string guildId, GuildFanout fanout) : IStreamTarget<GuildEvent>
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _sync = new();
    private GuildView? _view;

    /// <summary>The view's channels with their permission inputs, by id (<see cref="GuildView.ChannelAccess"/>); empty without a view.</summary>
    private IReadOnlyDictionary<string, GuildChannelAccess> _viewChannels = new Dictionary<string, GuildChannelAccess>();
    private int _memberCount;

    /// <summary>Local members' roles, the newest version of each (session, user stream, member events, channel streams).</summary>
    private readonly Dictionary<string, GuildMembership> _roles = new(StringComparer.Ordinal);

    /// <summary>Per text channel, an access newer than the view's, as its channel's stream announced it.</summary>
    private readonly Dictionary<string, GuildAccess> _access = new(StringComparer.Ordinal);

    /// <summary>Members known here: all of them while <see cref="_membersComplete"/> (small servers), else those looked up.</summary>
    private readonly Dictionary<string, GuildMember> _members = new(StringComparer.Ordinal);
    private bool _membersComplete;

    /// <summary>
    /// For a small server: the newest presence change heard of each member (the presence stream
    /// every gateway hears, <see cref="NotePresence"/>), after one read of the presence feeds when
    /// the member list is read and for each member who joins since (<see cref="_presencesToRead"/>,
    /// read in one go by the next state made here: a presence change before the join did not name
    /// this server). Offline ones are kept too, so an older change cannot bring a user back online.
    /// </summary>
    private readonly Dictionary<string, PresenceChanged> _presences = new(StringComparer.Ordinal);
    private readonly HashSet<string> _presencesToRead = new(StringComparer.Ordinal);

    /// <summary>
    /// The newest version of any change of the server known here: the view's (which counts member
    /// changes and removals, see <see cref="GuildView.LastVersion"/>) and every event's since.
    /// A client that applied this version missed nothing (<see cref="ResumeAsync"/>).
    /// </summary>
    private long _lastVersion;

    /// <summary>
    /// The server's voice states by user, read from its voice grain with the first view (and again
    /// on a catch-up), then kept by <see cref="VoiceStateUpdated"/> events, the newer version winning.
    /// </summary>
    private readonly GuildVoiceStates _voice = new();
    private bool _voiceLoaded;

    /// <summary>Voice states heard since the last frames were made, with the channel each user came from (<see cref="QueueVoice"/>).</summary>
    private readonly List<(VoiceState State, string? FromChannelId)> _voicePending = [];
    private bool _voiceFlushDue;

    /// <summary>When the last voice frames were taken (<see cref="Stopwatch"/> ticks): the next wait for the rest of its window.</summary>
    private long _lastVoiceFlush;
    private readonly SemaphoreSlim _voiceSend = new(1, 1);

    /// <summary>
    /// Per local connection, the voice channels and categories it was last decided to view. They have
    /// no stream a connection joins, so this is what tells a change of view apart: a channel that
    /// comes into view is described, with the voice states in it, one that goes out is taken away with
    /// them (<see cref="DecideStreamless"/>).
    /// </summary>
    private readonly Dictionary<string, HashSet<string>> _streamlessViews = new(StringComparer.Ordinal);

    /// <summary>The views of connections that view no voice channel or category, shared and never added to.</summary>
    private static readonly HashSet<string> NothingViewed = [];

    public string GuildId => guildId;

    /// <summary>
    /// Shows the server to a connection of one of its members: records the member's roles, reads the
    /// view if this gateway has none, puts the connection into each text channel it can view, and
    /// returns the server as the member sees it (null when the server is gone or the user is no
    /// longer a member), with its member list if it is not large to the connection's
    /// <paramref name="largeThreshold"/>. The connection must already be entered in the registry.
    /// </summary>
    public async Task<GuildState?> EnterAsync(string connectionId, string userId, GuildMembership membership, int largeThreshold)
    {
        List<ChannelChange> changes = [];
        GuildState? state;
        await _gate.WaitAsync();
        try
        {
            if (!await EnsureViewAsync(changes))
            {
                return null;
            }

            lock (_sync)
            {
                SetRoles(userId, membership);
                Decide(connectionId, userId, changes);
            }

            state = await StateForAsync(userId, largeThreshold);
        }
        finally
        {
            _gate.Release();
        }

        await fanout.ApplyAsync(guildId, changes, announce: false);
        return state;
    }

    /// <summary>A local member's roles changed (user stream): their connections' channels follow.</summary>
    public async Task SetRolesAsync(string userId, GuildMembership membership)
    {
        List<ChannelChange> changes = [];
        lock (_sync)
        {
            if (SetRoles(userId, membership))
            {
                DecideFor(userId, changes);
            }
        }

        await fanout.ApplyAsync(guildId, changes, announce: true);
    }

    /// <summary>
    /// The user is no longer a member: their connections leave the server and its channels here,
    /// with no <c>ChannelRemoved</c> (the client drops the whole server on <c>GuildRemoved</c>).
    /// </summary>
    public async Task RemoveUserAsync(string userId)
    {
        List<ChannelChange> changes = [];
        lock (_sync)
        {
            _roles.Remove(userId);
            LeaveServer(fanout.Connections.MembersInGuild(guildId).Where(member => member.UserId == userId), changes);
        }

        await fanout.ApplyAsync(guildId, changes, announce: false);
    }

    /// <summary>Forgets a user's roles once none of their connections here is in the server.</summary>
    public void Forget(string userId)
    {
        lock (_sync)
        {
            var members = fanout.Connections.MembersInGuild(guildId);
            var open = members.Select(member => member.ConnectionId).ToHashSet(StringComparer.Ordinal);
            foreach (var connectionId in _streamlessViews.Keys.Where(connectionId => !open.Contains(connectionId)).ToArray())
            {
                _streamlessViews.Remove(connectionId);
            }

            if (members.All(member => member.UserId != userId))
            {
                _roles.Remove(userId);
                if (!_membersComplete)
                {
                    _members.Remove(userId);
                }
            }
        }
    }

    /// <summary>
    /// A channel's stream says who may do what there changed (<see cref="ChannelAccessChanged"/>):
    /// called in that stream's order, so members who can no longer view it are out of it before its
    /// next event goes out; members who now can are put in (and told with <c>ChannelAdded</c>).
    /// </summary>
    public Task ApplyChannelAccessAsync(string channelId, GuildAccess access)
    {
        List<ChannelChange> changes = [];
        lock (_sync)
        {
            if (_view is null || access.Version <= AccessOf(channelId)?.Version)
            {
                return Task.CompletedTask;
            }

            _access[channelId] = access;
            if (_viewChannels.TryGetValue(channelId, out var known))
            {
                foreach (var (connectionId, userId) in fanout.Connections.MembersInGuild(guildId))
                {
                    Decide(connectionId, userId, [known.Channel], changes);
                }
            }
        }

        return fanout.ApplyAsync(guildId, changes, announce: true);
    }

    /// <summary>
    /// A member's roles as a channel's stream announced them (<see cref="GuildMemberAccessChanged"/>),
    /// in that stream's order; null roles: no longer a member, out of that channel now.
    /// </summary>
    public Task ApplyMemberAccessAsync(string channelId, string userId, IReadOnlyList<string>? roleIds, long version)
    {
        List<ChannelChange> changes = [];
        lock (_sync)
        {
            if (roleIds is null)
            {
                foreach (var (connectionId, _) in fanout.Connections.MembersInGuild(guildId).Where(member => member.UserId == userId))
                {
                    if (fanout.Connections.Leave(connectionId, channelId))
                    {
                        changes.Add(new ChannelChange(connectionId, userId, channelId, Added: false) { Silent = true });
                    }
                }
            }
            else if (SetRoles(userId, new GuildMembership(guildId, roleIds, version)))
            {
                DecideFor(userId, changes);
            }
        }

        return fanout.ApplyAsync(guildId, changes, announce: true);
    }

    /// <summary>Whether the channel is one of this server's, by the view held.</summary>
    public bool HasChannel(string channelId)
    {
        lock (_sync)
        {
            return _viewChannels.ContainsKey(channelId);
        }
    }

    /// <summary>Reads the view again and puts every local connection where it belongs (after the caller changed the structure).</summary>
    public async Task RefreshAsync()
    {
        List<ChannelChange> changes = [];
        await _gate.WaitAsync();
        try
        {
            await RefreshViewAsync(changes);
        }
        finally
        {
            _gate.Release();
        }

        await fanout.ApplyAsync(guildId, changes, announce: true);
    }

    /// <summary>
    /// A resuming client holds the server at <paramref name="heldVersion"/> (null: not at all): if no
    /// change known here is newer, it is told so (with the online members' presence, which has no
    /// version), else it gets the whole server as it sees it now. Null when the user is no longer a
    /// member (their <c>GuildRemoved</c> is on its way).
    /// </summary>
    public async Task<GuildResume?> ResumeAsync(string userId, long? heldVersion, int largeThreshold)
    {
        await _gate.WaitAsync();
        try
        {
            if (_view is null)
            {
                return null;
            }

            // Made from what is held here (no grain call once the server's members are known), even
            // when only its presences go out.
            if (await StateForAsync(userId, largeThreshold) is not { } state)
            {
                return null;
            }

            return heldVersion is { } held && held >= state.ResumeVersion
                ? new GuildResume(guildId, Unchanged: true, held, null, state.Large ? null : state.Presences) { VoiceStates = state.VoiceStates }
                : new GuildResume(guildId, Unchanged: false, state.ResumeVersion, state, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// A member's presence changed (the presence stream, for each server the user is in): kept for
    /// the next <c>GuildCreated</c> of a small server. Connections here already get the change itself
    /// in their presence batches.
    /// </summary>
    public void NotePresence(PresenceChanged change)
    {
        lock (_sync)
        {
            if (_memberCount <= GuildLimits.LargeThreshold)
            {
                KeepPresence(change);
            }
        }
    }

    public async Task OnNextAsync(GuildEvent item)
    {
        List<ChannelChange> changes = [];
        await _gate.WaitAsync();
        try
        {
            await HandleAsync(item, changes);
        }
        finally
        {
            _gate.Release();
        }

        await fanout.ApplyAsync(guildId, changes, announce: true);
        // A deleted server or a member removed may leave no connection here that wants the stream.
        await fanout.ReconcileGuildAsync(guildId);
    }

    /// <summary>
    /// Events may have been lost: read the view again, put connections where they belong, and send
    /// each local member the server as it is now (<c>GuildCreated</c>) if its structure moved on.
    /// </summary>
    public async Task CatchUpAsync()
    {
        List<ChannelChange> changes = [];
        List<(string ConnectionId, GuildState State)> states = [];
        IReadOnlyList<(VoiceState State, string? FromChannelId)> voiceChanges = [];
        await _gate.WaitAsync();
        try
        {
            var before = _view?.Guild.Version;
            _membersComplete = false;
            _voiceLoaded = false;
            voiceChanges = await RefreshViewAsync(changes);
            if (_view is not null && _view.Guild.Version != before)
            {
                foreach (var (connectionId, userId) in fanout.Connections.MembersInGuild(guildId))
                {
                    if (await StateForAsync(userId, fanout.Connections.LargeThresholdOf(connectionId)) is { } state)
                    {
                        states.Add((connectionId, state));
                    }
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        await fanout.ApplyAsync(guildId, changes, announce: true);
        foreach (var (connectionId, state) in states)
        {
            await fanout.Client(connectionId).GuildCreated(state);
        }

        // Voice states the lost pushes carried: the members hear of them now, each once.
        foreach (var (state, fromChannelId) in voiceChanges)
        {
            QueueVoice(state, fromChannelId);
        }
    }

    private async Task HandleAsync(GuildEvent item, List<ChannelChange> changes)
    {
        // Voice states have versions of their own (the voice grain's), not the server's: they are
        // sent whole on a resume instead (GuildResume.VoiceStates).
        if (item is not VoiceStateUpdated)
        {
            _lastVersion = Math.Max(_lastVersion, item.Version);
        }

        switch (item)
        {
            case VoiceStateUpdated voice:
                await DeliverVoiceAsync(voice);
                return;
            case GuildDeleted deleted:
                fanout.ForgetChannels(_view?.Channels.Select(channel => channel.Id) ?? []);
                _voice.Clear();
                var everyone = fanout.Connections.MembersInGuild(guildId);
                await fanout.Clients(everyone).GuildDeleted(deleted);
                lock (_sync)
                {
                    LeaveServer(everyone, changes);
                    SetView(null);
                }

                return;
            case GuildMemberAdded added:
                lock (_sync)
                {
                    _memberCount++;
                    Keep(added.Member);
                    if (_membersComplete)
                    {
                        _presencesToRead.Add(added.Member.UserId);
                    }
                }

                await fanout.Clients(fanout.Connections.MembersInGuild(guildId)).GuildMemberAdded(added);
                return;
            case GuildMembersImported imported:
                lock (_sync)
                {
                    // The grain's count, not ours plus the import's: it is what the event promises.
                    _memberCount = imported.MemberCount;
                    ForgetListIfLarge();
                }

                await fanout.Clients(fanout.Connections.MembersInGuild(guildId)).GuildMembersImported(imported);
                return;
            case GuildMemberUpdated updated:
                lock (_sync)
                {
                    Keep(updated.Member);
                    if (SetRoles(updated.Member.UserId, new GuildMembership(guildId, updated.Member.RoleIds, updated.Member.Version)))
                    {
                        DecideFor(updated.Member.UserId, changes);
                    }
                }

                await fanout.Clients(fanout.Connections.MembersInGuild(guildId)).GuildMemberUpdated(updated);
                return;
            case GuildMemberRemoved removed:
                lock (_sync)
                {
                    _members.Remove(removed.UserId);
                    _presences.Remove(removed.UserId);
                    _presencesToRead.Remove(removed.UserId);
                    _memberCount = Math.Max(0, _memberCount - 1);
                    _roles.Remove(removed.UserId);
                    // Out first, as a channel's MemberLeft does: from here on they hear nothing of the
                    // server; they learn of it from GuildRemoved on their own stream, on every device.
                    LeaveServer(fanout.Connections.MembersInGuild(guildId).Where(member => member.UserId == removed.UserId), changes);
                }

                await fanout.Clients(fanout.Connections.MembersInGuild(guildId)).GuildMemberRemoved(removed);
                return;
        }

        // A structural change: who could see a deleted channel is known only before the refresh.
        var couldView = item is GuildChannelDeleted gone ? Viewers(gone.ChannelId) : [];
        if (_view is null || item.Version > _view.Guild.Version)
        {
            await RefreshViewAsync(changes);
        }

        var members = fanout.Connections.MembersInGuild(guildId);
        switch (item)
        {
            case GuildUpdated updated:
                await fanout.Clients(members).GuildUpdated(updated);
                break;
            case GuildRoleCreated role:
                await fanout.Clients(members).GuildRoleCreated(role);
                break;
            case GuildRoleUpdated role:
                await fanout.Clients(members).GuildRoleUpdated(role);
                break;
            case GuildRoleDeleted role:
                await fanout.Clients(members).GuildRoleDeleted(role);
                break;
            case GuildChannelCreated created:
                await fanout.Clients(Viewers(created.Channel.Id)).GuildChannelCreated(created);
                break;
            case GuildChannelUpdated updated:
                await fanout.Clients(Viewers(updated.Channel.Id)).GuildChannelUpdated(updated);
                break;
            case GuildChannelDeleted deleted:
                fanout.ForgetChannels([deleted.ChannelId]);
                await fanout.Clients(couldView).GuildChannelDeleted(deleted);
                break;
        }
    }

    /// <summary>
    /// Under the gate: keeps the state if it is newer than the one held, and queues it for the local
    /// members who can view its channel when the window's frames are made; those who could view only
    /// the channel the user came from hear that the user left voice (<c>channelId</c> null), not where
    /// they went.
    /// </summary>
    private Task DeliverVoiceAsync(VoiceStateUpdated voice)
    {
        lock (_sync)
        {
            if (!_voice.Apply(voice.State))
            {
                return Task.CompletedTask; // late: a catch-up already read this change or a newer one
            }
        }

        QueueVoice(voice.State, voice.FromChannelId);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Queues a voice state for the next <c>VoiceStatesUpdated</c> frames, in the order heard; the
    /// first state after a flush schedules the next one: at once if the last was taken a window ago
    /// (<see cref="VoiceFrameOptions.Window"/>), else at the end of that window. So a quiet server's
    /// state waits for nothing, and a busy one's for what is left of the window, not a whole one.
    /// </summary>
    private void QueueVoice(VoiceState state, string? fromChannelId)
    {
        TimeSpan wait;
        lock (_sync)
        {
            _voicePending.Add((state, fromChannelId));
            if (_voiceFlushDue)
            {
                return;
            }

            _voiceFlushDue = true;
            wait = fanout.VoiceWindow - Stopwatch.GetElapsedTime(_lastVoiceFlush);
        }

        _ = FlushVoiceAsync(wait);
    }

    /// <summary>
    /// After the window: the states gathered, to the connections that can view their channels now
    /// (viewers are decided at the flush, by the view held then). One flush sends at a time, so a
    /// later window's frames never overtake an earlier one's and each user's states stay in order.
    /// </summary>
    private async Task FlushVoiceAsync(TimeSpan wait)
    {
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
        else
        {
            await Task.Yield(); // not on the push's delivery: it has the server's other events to hand on
        }

        await _voiceSend.WaitAsync();
        try
        {
            (VoiceState, string?)[] states;
            lock (_sync)
            {
                states = [.. _voicePending];
                _voicePending.Clear();
                _voiceFlushDue = false;
                _lastVoiceFlush = Stopwatch.GetTimestamp();
            }

            foreach (var (connectionIds, frame) in VoiceFrames.Group(states, ViewerConnections))
            {
                await fanout.ClientsById(connectionIds).VoiceStatesUpdated(frame);
            }
        }
        catch (Exception ex)
        {
            // Frames that cannot be sent are lost to these connections (their next resume reads the
            // voice states whole); later windows must still go out.
            fanout.VoiceFramesFailed(ex, guildId);
        }
        finally
        {
            _voiceSend.Release();
        }
    }

    /// <summary>The connection ids of <see cref="Viewers"/>.</summary>
    private IReadOnlySet<string> ViewerConnections(string channelId) =>
        Viewers(channelId).Select(viewer => viewer.ConnectionId).ToHashSet(StringComparer.Ordinal);

    /// <summary>The server's voice states; null if its voice grain did not answer (the next catch-up reads them again).</summary>
    private async Task<VoiceSnapshot?> FetchVoiceSnapshotAsync()
    {
        try
        {
            return await fanout.FetchVoiceSnapshotAsync(guildId);
        }
        catch (Errors.ChatException)
        {
            return null; // storage_unavailable or the like: the server's structure is served without them
        }
    }

    /// <summary>Local connections whose user can view the channel, by the view held (none if it has no such channel).</summary>
    private IReadOnlyList<(string ConnectionId, string UserId)> Viewers(string channelId)
    {
        lock (_sync)
        {
            if (!_viewChannels.TryGetValue(channelId, out var known))
            {
                return [];
            }

            return fanout.Connections.MembersInGuild(guildId)
                .Where(member => _roles.TryGetValue(member.UserId, out var roles) && CanView(known.Channel, member.UserId, roles))
                .ToArray();
        }
    }

    /// <summary>Reads the view if none is held (the connections known meanwhile go where it says); false when the server does not exist.</summary>
    private async Task<bool> EnsureViewAsync(List<ChannelChange> changes)
    {
        if (_view is not null)
        {
            return true;
        }

        await RefreshViewAsync(changes);
        return _view is not null;
    }

    /// <summary>
    /// Reads the server's view (and its voice states, unless held): returns the voice states that
    /// changed from those held, for a catch-up to tell the members.
    /// </summary>
    private async Task<IReadOnlyList<(VoiceState State, string? FromChannelId)>> RefreshViewAsync(List<ChannelChange> changes)
    {
        var view = await fanout.FetchViewAsync(guildId);
        var voice = view is not null && !_voiceLoaded ? await FetchVoiceSnapshotAsync() : null;
        IReadOnlyList<(VoiceState, string?)> voiceChanges = [];
        lock (_sync)
        {
            var known = _view?.Channels.Select(channel => channel.Id).ToHashSet(StringComparer.Ordinal);
            var decidedFrom = changes.Count;
            SetView(view);
            if (view is null)
            {
                return voiceChanges;
            }

            if (voice is not null)
            {
                _voiceLoaded = true;
                voiceChanges = _voice.Replace(voice);
            }

            _memberCount = view.Guild.MemberCount;
            _lastVersion = Math.Max(_lastVersion, Math.Max(view.LastVersion, view.Guild.Version));
            foreach (var channelId in _access.Keys.ToArray())
            {
                if (_access[channelId].Version <= view.Guild.Version || view.Channels.All(channel => channel.Id != channelId))
                {
                    _access.Remove(channelId);
                }
            }

            fanout.NoteChannels(guildId, view.Channels.Where(channel => channel.Type == GuildChannelType.Text).Select(channel => channel.Id));
            foreach (var (connectionId, userId) in fanout.Connections.MembersInGuild(guildId))
            {
                Decide(connectionId, userId, changes);
            }

            // A channel new to the view is described by its GuildChannelCreated, which follows.
            for (var i = decidedFrom; known is not null && i < changes.Count; i++)
            {
                if (!known.Contains(changes[i].ChannelId))
                {
                    changes[i] = changes[i] with { Created = true };
                }
            }
        }

        return voiceChanges;
    }

    /// <summary>
    /// The <c>GuildCreated</c> payload for <paramref name="userId"/>, from the view and what is known
    /// of the members; under the gate, with a view held. The member list of a small server is read
    /// from the grain once (then kept by member events), and its members' presences from the presence
    /// feeds once (then kept by the presence stream): a connect costs no grain call per member, and
    /// a gateway's first connect to a small server costs one call per presence shard
    /// (<see cref="StreamNames.PresenceShards"/>), not one per member. A large server's lists only the
    /// user, whose record is looked up if no event brought it, and no presences; so does a server
    /// larger than the connection's <paramref name="largeThreshold"/>, at no cost per member.
    /// </summary>
    private async Task<GuildState?> StateForAsync(string userId, int largeThreshold)
    {
        bool large, complete, known;
        lock (_sync)
        {
            large = _memberCount > GuildLimits.LargeThreshold;
            complete = _membersComplete;
            known = _members.ContainsKey(userId);
        }

        try
        {
            if (!large && !complete)
            {
                var state = await fanout.Guild(guildId).GetState(fanout.CallerFor(userId));
                lock (_sync)
                {
                    _members.Clear();
                    foreach (var member in state.Members.Append(state.Member))
                    {
                        Remember(member);
                    }

                    _membersComplete = !state.Large;
                    _presencesToRead.Clear();
                    if (_membersComplete)
                    {
                        _presencesToRead.UnionWith(_members.Keys);
                    }
                }
            }
            else if (!known)
            {
                var page = await fanout.Guild(guildId).QueryMembers(fanout.CallerFor(userId), null, [userId], 1);
                lock (_sync)
                {
                    foreach (var member in page.Members)
                    {
                        Remember(member);
                    }
                }
            }

            string[] unread;
            lock (_sync)
            {
                // Read when a state lists them; until then the presence stream keeps what it hears.
                unread = _membersComplete && !ConnectLargeThreshold.IsLarge(_memberCount, largeThreshold) ? [.. _presencesToRead] : [];
            }

            if (unread.Length > 0)
            {
                var (online, allRead) = await fanout.ReadPresencesAsync(unread);
                lock (_sync)
                {
                    foreach (var change in online)
                    {
                        KeepPresence(change);
                    }

                    // If a shard did not answer, all are asked again by the next state made here.
                    if (allRead)
                    {
                        _presencesToRead.ExceptWith(unread);
                    }
                }
            }
        }
        catch (Errors.ChatException ex) when (ex.Code == Errors.ErrorCodes.GuildNotFound)
        {
            return null; // no longer a member: their GuildRemoved is on its way
        }

        lock (_sync)
        {
            if (_view is null || !_members.TryGetValue(userId, out var self))
            {
                return null;
            }

            if (!_roles.TryGetValue(userId, out var roles) || roles.Version < self.Version)
            {
                SetRoles(userId, new GuildMembership(guildId, self.RoleIds, self.Version));
                roles = _roles[userId];
            }

            large = ConnectLargeThreshold.IsLarge(_memberCount, largeThreshold);
            var visible = _view.Channels.Where(channel => CanView(channel, userId, roles)).ToArray();
            IReadOnlyList<GuildMember> members = large || !_membersComplete ? [self] : _members.Values.OrderBy(member => member.UserId, StringComparer.Ordinal).ToArray();
            VoiceState[] voiceStates = _voice.Count == 0
                ? []
                : _voice.All.Where(state => visible.Any(channel => channel.Id == state.ChannelId)).OrderBy(state => state.UserId, StringComparer.Ordinal).ToArray();
            return new GuildState(_view.Guild with { MemberCount = _memberCount }, _view.Roles, visible, self, members, large)
            {
                // Never the presence of a member who blocked this one (docs/relationships.md#blocks).
                Presences = large || !_membersComplete ? [] : OnlinePresences().Where(presence => !fanout.IsBlockedBy(userId, presence.UserId)).ToArray(),
                ResumeVersion = _lastVersion,
                VoiceStates = voiceStates,
            };
        }
    }

    /// <summary>
    /// A member record from an event, kept while the whole list is (a small server) or for a local
    /// member; a server that grows past <see cref="GuildLimits.LargeThreshold"/> keeps only its local
    /// members' records, so a server of 100,000 costs a gateway what its connections need.
    /// </summary>
    private void Keep(GuildMember member)
    {
        ForgetListIfLarge();
        if (_membersComplete || _roles.ContainsKey(member.UserId))
        {
            Remember(member);
        }
    }

    /// <summary>Under <see cref="_sync"/>: a server past the threshold keeps only its local members' records, not the whole list.</summary>
    private void ForgetListIfLarge()
    {
        if (_membersComplete && _memberCount > GuildLimits.LargeThreshold)
        {
            _membersComplete = false;
            foreach (var userId in _members.Keys.Where(userId => !_roles.ContainsKey(userId)).ToArray())
            {
                _members.Remove(userId);
            }

            _presences.Clear();
            _presencesToRead.Clear();
        }
    }

    /// <summary>Under <see cref="_sync"/>: keeps the newer of two presence changes of a user.</summary>
    private void KeepPresence(PresenceChanged change)
    {
        var userId = change.Presence.UserId;
        if (!_presences.TryGetValue(userId, out var known) || known.Version < change.Version)
        {
            _presences[userId] = change;
        }
    }

    /// <summary>Under <see cref="_sync"/>: the presence of each known member who is not offline, by user id.</summary>
    private PresenceInfo[] OnlinePresences() =>
        _presences.Values
            .Select(change => change.Presence)
            .Where(presence => presence.Status is not (PresenceStatus.Offline or PresenceStatus.Invisible) && _members.ContainsKey(presence.UserId))
            .OrderBy(presence => presence.UserId, StringComparer.Ordinal)
            .ToArray();

    /// <summary>Keeps the newer record of a member.</summary>
    private void Remember(GuildMember member)
    {
        if (!_members.TryGetValue(member.UserId, out var known) || known.Version <= member.Version)
        {
            _members[member.UserId] = member;
        }
    }

    /// <summary>Records a local member's roles if newer; true when they changed.</summary>
    private bool SetRoles(string userId, GuildMembership membership)
    {
        if (_roles.TryGetValue(userId, out var known) && known.Version >= membership.Version)
        {
            return false;
        }

        _roles[userId] = membership;
        return true;
    }

    /// <summary>Puts each of the user's local connections in the channels they can view, and out of the others.</summary>
    private void DecideFor(string userId, List<ChannelChange> changes)
    {
        foreach (var (connectionId, member) in fanout.Connections.MembersInGuild(guildId))
        {
            if (member == userId)
            {
                Decide(connectionId, userId, changes);
            }
        }
    }

    private void Decide(string connectionId, string userId, List<ChannelChange> changes)
    {
        if (_view is not null)
        {
            Decide(connectionId, userId, _view.Channels, changes);
        }
    }

    /// <summary>Under <see cref="_sync"/>: the connection joins each listed text channel the user can view and leaves the others.</summary>
    private void Decide(string connectionId, string userId, IReadOnlyList<GuildChannel> channels, List<ChannelChange> changes)
    {
        if (!_roles.TryGetValue(userId, out var roles))
        {
            return; // roles not known yet: the path that records them decides
        }

        DecideStreamless(connectionId, userId, roles, channels, changes);
        // Indexed, not LINQ: a connect decides every channel of each of its servers, fifty servers a connect.
        for (var i = 0; i < channels.Count; i++)
        {
            var channel = channels[i];
            if (channel.Type != GuildChannelType.Text)
            {
                continue;
            }

            if (CanView(channel, userId, roles))
            {
                if (fanout.Connections.Join(connectionId, channel.Id))
                {
                    changes.Add(new ChannelChange(connectionId, userId, channel.Id, Added: true) { Channel = channel, OwnerId = _view!.Guild.OwnerId });
                }
            }
            else if (fanout.Connections.Leave(connectionId, channel.Id))
            {
                changes.Add(new ChannelChange(connectionId, userId, channel.Id, Added: false));
            }
        }
    }

    /// <summary>
    /// Under <see cref="_sync"/>: notes which listed voice channels and categories the connection can
    /// view. One that comes into view is described to it, a voice channel with the states of those in
    /// it now; one that goes out of view is taken away, a voice channel's states again with
    /// <c>channelId</c> null and the same version: as a text channel's <c>ChannelAdded</c> and
    /// <c>ChannelRemoved</c> do, so the client shows what it may see without a reconnect and holds
    /// nothing it no longer may. A connection's first decision says nothing: its <c>GuildCreated</c>
    /// carries the channels and states it may see.
    /// </summary>
    private void DecideStreamless(string connectionId, string userId, GuildMembership roles, IReadOnlyList<GuildChannel> channels, List<ChannelChange> changes)
    {
        var first = !_streamlessViews.TryGetValue(connectionId, out var viewed);
        // Until it views one, a connection shares the empty set: most servers' connections view no
        // voice channel or category, and a set each would be fifty sets a connect, kept while it lasts.
        viewed ??= _streamlessViews[connectionId] = NothingViewed;
        for (var i = 0; i < channels.Count; i++)
        {
            var channel = channels[i];
            if (channel.Type == GuildChannelType.Text)
            {
                continue;
            }

            var canView = CanView(channel, userId, roles);
            if (canView && ReferenceEquals(viewed, NothingViewed))
            {
                viewed = _streamlessViews[connectionId] = new HashSet<string>(StringComparer.Ordinal);
            }

            if (!(canView ? viewed.Add(channel.Id) : viewed.Remove(channel.Id)) || first)
            {
                continue;
            }

            var states = _voice.In(channel.Id)
                .Select(state => canView ? state : state with { ChannelId = null })
                .ToArray();
            changes.Add(new ChannelChange(connectionId, userId, channel.Id, Added: canView) { Channel = channel, Streamless = true, VoiceStates = states });
        }
    }

    /// <summary>
    /// Under <see cref="_sync"/>: these connections leave the server here and each of its channels,
    /// without <c>ChannelRemoved</c> (the user leaves the whole server, or it is gone).
    /// </summary>
    private void LeaveServer(IEnumerable<(string ConnectionId, string UserId)> members, List<ChannelChange> changes)
    {
        foreach (var (connectionId, userId) in members)
        {
            foreach (var channelId in _viewChannels.Keys)
            {
                if (fanout.Connections.Leave(connectionId, channelId))
                {
                    changes.Add(new ChannelChange(connectionId, userId, channelId, Added: false) { Silent = true });
                }
            }

            fanout.Connections.LeaveGuild(connectionId, guildId);
            _streamlessViews.Remove(connectionId);
        }
    }

    /// <summary>Under <see cref="_sync"/>: holds the view, and its channels' permission inputs with it.</summary>
    private void SetView(GuildView? view)
    {
        _view = view;
        _viewChannels = view?.ChannelAccess() ?? new Dictionary<string, GuildChannelAccess>();
    }

    private bool CanView(GuildChannel channel, string userId, GuildMembership roles) =>
        AccessOf(channel.Id) is { } access && GuildPermissions.CanView(access, userId, roles.RoleIds);

    /// <summary>The newer of the view's and the channel stream's access for the channel.</summary>
    private GuildAccess? AccessOf(string channelId)
    {
        if (!_viewChannels.TryGetValue(channelId, out var known))
        {
            return null;
        }

        return _access.TryGetValue(channelId, out var announced) && announced.Version > known.Access.Version ? announced : known.Access;
    }
}

/// <summary>
/// A connection put into (<see cref="Added"/>) or taken out of a server's text channel by a visibility
/// decision; or, <see cref="Streamless"/>, a voice channel or category that came into or went out of its view.
/// </summary>
public sealed record ChannelChange(string ConnectionId, string UserId, string ChannelId, bool Added)
{
    /// <summary>Taken out without a <c>ChannelRemoved</c>: the user leaves the whole server, or the channel is gone.</summary>
    public bool Silent { get; set; }

    /// <summary>For an added channel: the server's record of it and the server's owner, to describe it in <c>ChannelAdded</c>.</summary>
    public GuildChannel? Channel { get; init; }

    public string? OwnerId { get; init; }

    /// <summary>A voice channel or category: no stream to join or leave, only the client to tell.</summary>
    public bool Streamless { get; init; }

    /// <summary>A channel just created: its <c>GuildChannelCreated</c> describes it, no <c>GuildChannelVisible</c> is needed.</summary>
    public bool Created { get; init; }

    /// <summary>
    /// For a voice channel: the states to send the connection, those in the channel when it came into
    /// view, or the same with <c>channelId</c> null when it went out. Empty for the other types.
    /// </summary>
    public IReadOnlyList<VoiceState> VoiceStates { get; init; } = [];
}
