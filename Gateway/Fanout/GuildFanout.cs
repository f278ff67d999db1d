using System.Collections.Concurrent;
using Cryb.Channels;
using Cryb.Gateway.Hosting;
using Cryb.Gateway.Hubs;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Presence;
using Cryb.Users;
using Cryb.Voice;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// Servers on this gateway. One subscription per server stream while a local connection was shown
/// the server (<see cref="ConnectionRegistry.WantsGuild"/>), whatever the number of its members here,
/// so a server event costs one push per gateway. Each server's <see cref="GuildFeed"/> keeps its
/// structure and its local members' roles, and puts each connection into the server's text channels
/// it can view, in the same registry as any channel's members: from there on a server channel's
/// messages, gap filling and <c>Ready</c> summaries work as for any channel.
/// </summary>
/// <remarks>
/// Who may view a channel changes in two places, and both are followed: the server's stream
/// (structure, member roles), and each channel's own ordered stream (<see cref="ChannelAccessChanged"/>,
/// <see cref="GuildMemberAccessChanged"/>), which the channel's feed hands here before delivering the
/// channel's next event, so a member who lost "view channel" hears nothing of the channel after the change.
/// </remarks>
public sealed partial class GuildFanout
{
    private readonly IClusterClient _cluster;
    private readonly ServiceCredential _account;
    private readonly IHubContext<ChatHub, IChatClient> _hub;
    private readonly ChatFanout _channels;
    private readonly StreamSubscriptions<GuildEvent> _guilds;
    private readonly ILogger _logger;

    /// <summary>The server of each server text channel this gateway has seen in a view.</summary>
    private readonly ConcurrentDictionary<string, string> _guildOfChannel = new(StringComparer.Ordinal);

    public GuildFanout(IClusterClient cluster, ServiceCredential account, IHubContext<ChatHub, IChatClient> hub, ConnectionRegistry connections, ChatFanout channels, GatewayMetrics metrics, VoiceFrameOptions voiceFrames, ILogger logger)
    {
        VoiceWindow = voiceFrames.Window;
        _cluster = cluster;
        _account = account;
        _hub = hub;
        _channels = channels;
        _logger = logger;
        Connections = connections;
        _guilds = new StreamSubscriptions<GuildEvent>(cluster, StreamNames.Guild, connections.WantsGuild, guildId => new GuildFeed(guildId, this),
            change => metrics.SubscriptionsChanged(StreamNames.Guild, change), logger);
    }

    internal ConnectionRegistry Connections { get; }

    /// <summary>The shortest time between two voice frames of one server to a connection (<see cref="VoiceFrameOptions.Window"/>).</summary>
    internal TimeSpan VoiceWindow { get; }

    /// <summary>
    /// Shows a connecting user's servers to the connection: each server's text channels they can view
    /// join the connection's channels. Returns each server as the user sees it, for <c>Ready</c>;
    /// servers gone meanwhile are left out.
    /// </summary>
    public async Task<GuildState[]> ConnectAsync(string connectionId, string userId, IReadOnlyList<GuildMembership>? memberships)
    {
        var largeThreshold = Connections.LargeThresholdOf(connectionId);
        var states = await Task.WhenAll((memberships ?? []).Select(membership => Connections.EnterGuild(connectionId, membership.GuildId)
            ? EnterAsync(connectionId, userId, membership, largeThreshold)
            : Task.FromResult<GuildState?>(null)));
        return states.OfType<GuildState>().ToArray();
    }

    /// <summary>
    /// A resuming client's servers (<c>ResumeGuilds</c>): for each server the connection was shown,
    /// <c>unchanged</c> when the client's version covers every change known here, else the whole
    /// server. Servers the client does not list come whole; those it lists but the connection was
    /// not shown (no longer a member) are left out, as are servers gone meanwhile.
    /// </summary>
    public async Task<GuildResume[]> ResumeAsync(string connectionId, string userId, IReadOnlyDictionary<string, long> held)
    {
        var largeThreshold = Connections.LargeThresholdOf(connectionId);
        var resumed = await Task.WhenAll(Connections.GuildsOf(connectionId).Select(guildId => FeedOf(guildId) is { } feed
            ? feed.ResumeAsync(userId, held.TryGetValue(guildId, out var version) ? version : null, largeThreshold)
            : Task.FromResult<GuildResume?>(null)));
        return resumed.OfType<GuildResume>().ToArray();
    }

    /// <summary>A presence change heard on the presence stream: each small server of the user served here keeps it.</summary>
    internal void NotePresence(PresenceChanged change)
    {
        foreach (var guildId in change.GuildIds)
        {
            FeedOf(guildId)?.NotePresence(change);
        }
    }

    /// <summary>
    /// Which of these users are online, idle or in do-not-disturb, and how: one call per presence
    /// feed (<see cref="StreamNames.PresenceShards"/>), each answering from memory for its users,
    /// instead of one presence grain per member (which would activate the offline ones). Complete
    /// is false when a feed did not answer; what the others said is returned.
    /// </summary>
    internal async Task<(IReadOnlyList<PresenceChanged> Online, bool Complete)> ReadPresencesAsync(IReadOnlyList<string> userIds)
    {
        var reads = userIds.GroupBy(PresenceFeeds.KeyOf)
            .Select(async shard =>
            {
                try
                {
                    return await _cluster.GetGrain<IPresenceFeedGrain>(shard.Key).GetOnline(_account, shard.ToArray());
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    return null; // presence is best effort: the stream keeps what is known current
                }
            });
        var answers = await Task.WhenAll(reads);
        return (answers.OfType<IReadOnlyList<PresenceChanged>>().SelectMany(online => online).ToArray(), answers.All(answer => answer is not null));
    }

    /// <summary>Forgets a closed connection's servers (the registry already has).</summary>
    public async Task DisconnectAsync(string userId, IReadOnlyList<string> guildIds)
    {
        foreach (var guildId in guildIds)
        {
            FeedOf(guildId)?.Forget(userId);
            await _guilds.ReconcileAsync(guildId);
        }
    }

    /// <summary>
    /// The user is a member of a server, or their roles there changed (their user stream, or the hub
    /// right after a create or join): each of their connections here not yet shown the server gets
    /// <c>GuildCreated</c>, the others follow the new roles.
    /// </summary>
    public async Task AddedAsync(string userId, GuildMembership membership)
    {
        foreach (var connectionId in Connections.ConnectionsOf(userId))
        {
            if (Connections.EnterGuild(connectionId, membership.GuildId))
            {
                if (await EnterAsync(connectionId, userId, membership, Connections.LargeThresholdOf(connectionId)) is { } state)
                {
                    await Client(connectionId).GuildCreated(state);
                }
            }
            else if (FeedOf(membership.GuildId) is { } feed)
            {
                await feed.SetRolesAsync(userId, membership);
            }
        }
    }

    /// <summary>The user left a server (or was removed, or it is gone): out of it and its channels here, then told.</summary>
    internal async Task RemovedAsync(GuildRemoved removed)
    {
        if (FeedOf(removed.GuildId) is { } feed)
        {
            await feed.RemoveUserAsync(removed.UserId);
        }

        var connections = Connections.ConnectionsOf(removed.UserId);
        foreach (var connectionId in connections)
        {
            Connections.LeaveGuild(connectionId, removed.GuildId);
        }

        await _guilds.ReconcileAsync(removed.GuildId);
        await _hub.Clients.Clients(connections).GuildRemoved(removed);
    }

    /// <summary>From a channel's feed, in the channel's order: who may view it changed.</summary>
    internal Task ChannelAccessChangedAsync(ChannelAccessChanged changed)
    {
        _guildOfChannel[changed.ChannelId] = changed.Access.GuildId;
        return FeedOf(changed.Access.GuildId)?.ApplyChannelAccessAsync(changed.ChannelId, changed.Access) ?? Task.CompletedTask;
    }

    /// <summary>From a channel's feed, in the channel's order: a member's roles changed, or they left.</summary>
    internal Task MemberAccessChangedAsync(GuildMemberAccessChanged changed) =>
        _guildOfChannel.TryGetValue(changed.ChannelId, out var guildId) && FeedOf(guildId) is { } feed
            ? feed.ApplyMemberAccessAsync(changed.ChannelId, changed.UserId, changed.RoleIds, changed.Version)
            : Task.CompletedTask;

    /// <summary>
    /// The server of one of the connection's servers' channels, of any type (a voice channel's, for
    /// <c>JoinVoice</c>), by the views held here; null if none of them has it.
    /// </summary>
    public string? GuildOfChannel(string connectionId, string channelId) =>
        Connections.GuildsOf(connectionId).FirstOrDefault(guildId => FeedOf(guildId)?.HasChannel(channelId) == true);

    /// <summary>The server of a server's text channel, as far as this gateway has seen; null for a direct message.</summary>
    public string? GuildIdOf(string channelId) => _guildOfChannel.GetValueOrDefault(channelId);

    /// <summary>Whether the channel is a server's text channel, as far as this gateway has seen.</summary>
    public bool IsGuildChannel(string channelId) => _guildOfChannel.ContainsKey(channelId);

    /// <summary>
    /// Reads the server's structure again now, after a change the caller made (a new channel), so the
    /// local members are in its channels before the call returns, as a created channel's creator is.
    /// </summary>
    public Task RefreshAsync(string guildId) => FeedOf(guildId)?.RefreshAsync() ?? Task.CompletedTask;

    /// <summary>Whether <paramref name="blockerId"/> blocked the local user <paramref name="userId"/>: their presence stays out of what the user is sent.</summary>
    internal bool IsBlockedBy(string userId, string blockerId) => _channels.Relationships.IsBlockedBy(userId, blockerId);

    /// <summary>Renews every server subscription and makes again those the cluster dropped (see <see cref="ChatFanout.CheckSubscriptionsAsync"/>).</summary>
    public Task<(int Resubscribed, int Failed)> CheckAsync(bool catchUpAll, CancellationToken cancellationToken) =>
        _guilds.CheckAsync(catchUpAll, cancellationToken);

    public Task RenewAsync(string guildId) => _guilds.RenewAsync(guildId);

    /// <summary>Subscribes or releases the server's stream to match the registry.</summary>
    internal Task ReconcileGuildAsync(string guildId) => _guilds.ReconcileAsync(guildId);

    internal IChatClient Client(string connectionId) => _hub.Clients.Client(connectionId);

    internal IChatClient Clients(IEnumerable<(string ConnectionId, string UserId)> members) =>
        _hub.Clients.Clients(members.Select(member => member.ConnectionId).ToArray());

    internal IChatClient ClientsById(IReadOnlyList<string> connectionIds) => _hub.Clients.Clients(connectionIds);

    /// <summary>A server feed's voice frames could not be sent (logged; the feed goes on with the next window).</summary>
    internal void VoiceFramesFailed(Exception exception, string guildId) => LogVoiceFramesFailed(exception, guildId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Voice states of server {GuildId} could not be sent")]
    private partial void LogVoiceFramesFailed(Exception exception, string guildId);

    internal IGuildGrain Guild(string guildId) => _cluster.GetGrain<IGuildGrain>(guildId);

    /// <summary>The user as the gateway acts for them, to read what they may read.</summary>
    internal Caller CallerFor(string userId) => Caller.User(userId, _account);

    internal Task<GuildView?> FetchViewAsync(string guildId) => Guild(guildId).GetView(_account);

    internal Task<VoiceSnapshot> FetchVoiceSnapshotAsync(string guildId) => _cluster.GetGrain<IVoiceGrain>(guildId).GetSnapshot(_account);

    internal void NoteChannels(string guildId, IEnumerable<string> channelIds)
    {
        foreach (var channelId in channelIds)
        {
            _guildOfChannel[channelId] = guildId;
        }
    }

    internal void ForgetChannels(IEnumerable<string> channelIds)
    {
        foreach (var channelId in channelIds)
        {
            _guildOfChannel.TryRemove(channelId, out _);
        }
    }

    /// <summary>
    /// Makes the subscriptions follow the registry after a visibility decision, then tells the users:
    /// <c>ChannelRemoved</c> (reason <c>no_access</c>) to the connections taken out of a channel of any
    /// type (a voice channel's states first, with <c>channelId</c> null), and, when
    /// <paramref name="announce"/>, <c>GuildChannelVisible</c> to those that came to view one (a text
    /// channel's <c>ChannelAdded</c> with it, a voice channel's states after it; a channel just created
    /// only its <c>ChannelAdded</c>, since its <c>GuildChannelCreated</c> follows).
    /// </summary>
    internal async Task ApplyAsync(string guildId, IReadOnlyList<ChannelChange> changes, bool announce)
    {
        if (changes.Count == 0)
        {
            return;
        }

        // Without LINQ for the common case, a connect entering a server: a change or a few, all added.
        var reconciled = changes.Count > 1 ? new HashSet<string>(StringComparer.Ordinal) : null;
        var removals = false;
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            removals |= !change.Added && !change.Silent;
            if (!change.Streamless && (reconciled?.Add(change.ChannelId) ?? true))
            {
                await _channels.ReconcileChannelAsync(change.ChannelId);
            }
        }

        // One send per state or notice to every connection of the same change: a role given to many
        // members costs a message per channel and state, not per member.
        foreach (var group in removals ? changes.Where(change => !change.Added && !change.Silent).GroupBy(change => (change.UserId, change.ChannelId)) : [])
        {
            var connections = group.Select(change => change.ConnectionId).ToArray();
            await SendVoiceStatesAsync(connections, group.First().VoiceStates);
            await _hub.Clients.Clients(connections).ChannelRemoved(new ChannelRemoved(group.Key.UserId, group.Key.ChannelId, LeaveReasons.NoAccess));
        }

        if (!announce)
        {
            return;
        }

        foreach (var group in changes.Where(change => change.Added && change.Channel is not null).GroupBy(change => change.ChannelId))
        {
            var first = group.First();
            var connections = group.Select(change => change.ConnectionId).ToArray();
            if (!first.Streamless)
            {
                await _hub.Clients.Clients(connections).ChannelAdded(InfoOf(guildId, first.Channel!, first.OwnerId!));
            }

            if (!first.Created)
            {
                await _hub.Clients.Clients(connections).GuildChannelVisible(new GuildChannelVisible(guildId, first.Channel!));
            }

            await SendVoiceStatesAsync(connections, first.VoiceStates);
        }
    }

    private async Task SendVoiceStatesAsync(string[] connections, IReadOnlyList<VoiceState> states)
    {
        if (states.Count > 0)
        {
            // One frame for the channel's states; an array, as MessagePack cannot write a read-only list.
            await _hub.Clients.Clients(connections).VoiceStatesUpdated([.. states]);
        }
    }

    private async Task<GuildState?> EnterAsync(string connectionId, string userId, GuildMembership membership, int largeThreshold)
    {
        var guildId = membership.GuildId;
        await _guilds.ReconcileAsync(guildId);
        var state = FeedOf(guildId) is { } feed ? await feed.EnterAsync(connectionId, userId, membership, largeThreshold) : null;
        if (state is null)
        {
            // Gone, or no longer a member: nothing of it stays with the connection.
            if (FeedOf(guildId) is { } stale)
            {
                await stale.RemoveUserAsync(userId);
            }

            Connections.LeaveGuild(connectionId, guildId);
            await _guilds.ReconcileAsync(guildId);
        }

        return state;
    }

    private GuildFeed? FeedOf(string guildId) => _guilds.TargetOf(guildId) as GuildFeed;

    /// <summary>
    /// A server text channel as <c>ChannelAdded</c> describes it: never private (the server's
    /// permissions decide who sees it), owned by the server's owner.
    /// </summary>
    private static ChannelInfo InfoOf(string guildId, GuildChannel channel, string ownerId) =>
        new(channel.Id, channel.Name, IsPrivate: false, ownerId, channel.CreatedAt, channel.Topic, IsDirect: false, guildId);
}
