using Cryb.Presence;
using Cryb.Channels;
using Cryb.Gateway.Auth;
using Cryb.Gateway.Hosting;
using Cryb.Gateway.Hubs;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Notifications;
using Cryb.Relationships;
using Cryb.Streaming;
using Cryb.Users;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// Delivers channel and user stream events to this gateway's connections. Which connection is in
/// which channel is recorded in one place, the <see cref="ConnectionRegistry"/>: a channel's events
/// go to the connections it lists, and the subscriptions follow it. Each channel with a local member
/// connection has one stream subscription; each user with a local connection has one user-stream
/// subscription, through which a membership gained on another device or gateway reaches this one;
/// and the gateway subscribes once to every presence stream. Membership losses arrive on the
/// channel's own ordered stream, so a removed member's connections leave the record before any
/// later event is sent.
/// Each channel's events pass through its <see cref="ChannelFeed"/>, which fills gaps from the
/// channel grain; <see cref="CheckSubscriptionsAsync"/> finds subscriptions the cluster dropped.
/// </summary>
public sealed class ChatFanout
{
    private readonly IClusterClient _cluster;
    private readonly ServiceCredential _account;
    private readonly IHubContext<ChatHub, IChatClient> _hub;
    private readonly ConnectionRegistry _connections;
    private readonly StreamSubscriptions<ChannelEvent> _channels;
    private readonly StreamSubscriptions<UserEvent> _users;
    private readonly StreamSubscriptions<PresenceChanged> _presence;
    private readonly SemaphoreSlim _presenceGate = new(1, 1);
    private volatile bool _presenceSubscribed;
    private readonly PresenceBatches _presenceBatches;
    private readonly GatewayMetrics _metrics;
    private readonly AccountStandingCache _standings;

    /// <summary>The connections' outboxes, for frames sent together (<see cref="SendWithNotifications"/>).</summary>
    private readonly BoundedHubLifetimeManager<ChatHub> _lifetime;

    public ChatFanout(IClusterClient cluster, ServiceCredential account, IHubContext<ChatHub, IChatClient> hub, ConnectionRegistry connections, GatewayMetrics metrics, AccountStandingCache standings, PresenceBatches presenceBatches, IOptions<FanoutFaultOptions> faults, IOptions<VoiceFrameOptions> voiceFrames, BoundedHubLifetimeManager<ChatHub> lifetime, ILogger<ChatFanout> logger)
    {
        _cluster = cluster;
        _lifetime = lifetime;
        _account = account;
        _hub = hub;
        _standings = standings;
        _presenceBatches = presenceBatches;
        _connections = connections;
        _metrics = metrics;
        var dropSeqs = faults.Value.DropMessageSeqs.ToHashSet();
        _channels = new StreamSubscriptions<ChannelEvent>(cluster, StreamNames.Channel, connections.WantsChannel, channelId => dropSeqs.Count == 0
            ? new ChannelFeed(channelId, this, logger)
            : new LossyStreamTarget(channelId, new ChannelFeed(channelId, this, logger), dropSeqs, logger),
            change => metrics.SubscriptionsChanged(StreamNames.Channel, change), logger);
        _users = new StreamSubscriptions<UserEvent>(cluster, StreamNames.User, connections.HasConnectionsOf, _ => new UserFeed(this),
            change => metrics.SubscriptionsChanged(StreamNames.User, change), logger);
        // Wanted from the first connection on, for the gateway's life (SubscribeToPresenceAsync).
        _presence = new StreamSubscriptions<PresenceChanged>(cluster, StreamNames.Presence, _ => true, _ => new PresenceFeed(this),
            change => metrics.SubscriptionsChanged(StreamNames.Presence, change), logger);
        Guilds = new GuildFanout(cluster, account, hub, connections, this, metrics, voiceFrames.Value, logger);
        ((PushStreamProvider)cluster.GetStreamProvider(StreamNames.Provider)).OwnerLeft += streamId => _ = (streamId.GetNamespace() switch
        {
            StreamNames.Channel => _channels.RenewAsync(streamId.GetKeyAsString()),
            StreamNames.User => _users.RenewAsync(streamId.GetKeyAsString()),
            StreamNames.Presence => _presence.RenewAsync(streamId.GetKeyAsString()),
            StreamNames.Guild => Guilds.RenewAsync(streamId.GetKeyAsString()),
            _ => Task.CompletedTask,
        });
    }

    /// <summary>Servers on this gateway: their subscriptions, and which of their channels each connection is in.</summary>
    public GuildFanout Guilds { get; }

    /// <summary>The friends and blockers of the users connected here, for presence and typing.</summary>
    public RelationshipIndex Relationships { get; } = new();

    public async Task ConnectAsync(
        string connectionId, string userId, DeviceKind device, IEnumerable<string> channelIds, Action abort,
        RelationshipsView? relationships = null, int largeThreshold = GuildLimits.DefaultLargeThreshold)
    {
        await SubscribeToPresenceAsync();
        if (relationships is not null)
        {
            Relationships.Load(userId, relationships);
        }

        _connections.Add(connectionId, userId, device, abort, largeThreshold);
        await _users.ReconcileAsync(userId);

        // All at once: into a gateway that serves none of them yet (after a restart, in a reconnect
        // storm), each is a subscription call, and fifty in a row would be fifty round trips.
        await Task.WhenAll(channelIds.Select(channelId => AddToChannelAsync(connectionId, channelId)));
    }

    public async Task DisconnectAsync(string connectionId)
    {
        var (channels, userId, guilds) = _connections.Remove(connectionId);
        foreach (var channelId in channels)
        {
            await _channels.ReconcileAsync(channelId);
        }

        if (userId is not null)
        {
            await Guilds.DisconnectAsync(userId, guilds);
            await _users.ReconcileAsync(userId);
            if (!_connections.HasConnectionsOf(userId))
            {
                Relationships.Forget(userId);
            }
        }
    }

    /// <summary>Adds a connection of a member to the channel's fan-out; idempotent.</summary>
    public async Task AddToChannelAsync(string connectionId, string channelId)
    {
        if (_connections.Join(connectionId, channelId))
        {
            await _channels.ReconcileAsync(channelId);
        }
    }

    /// <summary>Keeps the channel's stream subscribed while the returned lease is held.</summary>
    public async Task<IAsyncDisposable> HoldChannelAsync(string channelId)
    {
        _connections.Hold(channelId);
        var lease = new Lease(async () =>
        {
            _connections.Unhold(channelId);
            await _channels.ReconcileAsync(channelId);
        });
        try
        {
            await _channels.ReconcileAsync(channelId);
        }
        catch
        {
            // Forgets the entry the failed subscribe left, unless a member wants the channel meanwhile.
            await lease.DisposeAsync();
            throw;
        }

        return lease;
    }

    /// <summary>
    /// Makes again the subscriptions the cluster dropped (their channels catch up); with
    /// <paramref name="catchUpAll"/>, every channel catches up, for events lost in a silo that died.
    /// Returns false if some stream could not be checked (the cluster was not reachable yet).
    /// </summary>
    public async Task<bool> CheckSubscriptionsAsync(bool catchUpAll, CancellationToken cancellationToken)
    {
        var channels = await _channels.CheckAsync(catchUpAll, cancellationToken);
        _metrics.Resubscribed("channel", channels.Resubscribed);
        var users = await _users.CheckAsync(catchUpAll, cancellationToken);
        _metrics.Resubscribed("user", users.Resubscribed);
        var presence = await _presence.CheckAsync(catchUpAll, cancellationToken);
        _metrics.Resubscribed("presence", presence.Resubscribed);
        var guilds = await Guilds.CheckAsync(catchUpAll, cancellationToken);
        _metrics.Resubscribed("guild", guilds.Resubscribed);
        return channels.Failed == 0 && users.Failed == 0 && presence.Failed == 0 && guilds.Failed == 0;
    }

    /// <summary>Sends one channel event to the channel's local connections; its <see cref="ChannelFeed"/> decides when.</summary>
    internal async Task DeliverAsync(ChannelEvent channelEvent)
    {
        // A server's access changes are for this gateway, not for clients (they hear the server's
        // events): applied here, in the channel's order, before its next event goes out.
        switch (channelEvent)
        {
            case ChannelAccessChanged access:
                await Guilds.ChannelAccessChangedAsync(access);
                return;
            case GuildMemberAccessChanged member:
                await Guilds.MemberAccessChangedAsync(member);
                return;
        }

        // Counted before the send: MemberLeft and ChannelDeleted shrink the channel's connections as
        // they go out, and a client that already has the event must find it counted.
        var reached = _connections.ConnectionsIn(channelEvent.ChannelId).Count;
        _metrics.Delivered(channelEvent.GetType().Name, reached, channelEvent.CommittedAt);
        await SendAsync(channelEvent);
    }

    /// <summary>
    /// The user's channels as their <c>Ready</c> lists them, from this gateway's views: a grain call
    /// only for a channel no connection here has listed since the gateway subscribed to it. Call it
    /// after <see cref="ConnectAsync"/>, which subscribed them. Channels gone or left meanwhile are
    /// left out.
    /// </summary>
    public async Task<ChannelSummary[]> SummariesAsync(string userId, UserSession session, IEnumerable<string> guildChannelIds)
    {
        var summaries = await Task.WhenAll(session.ChannelIds.Concat(guildChannelIds).Distinct().Select(channelId => FeedOf(channelId) is { } feed
            ? feed.SummaryForAsync(userId, session.LastReadSeqs.GetValueOrDefault(channelId))
            : Task.FromResult<ChannelSummary?>(null)));
        return summaries.OfType<ChannelSummary>().ToArray();
    }

    /// <summary>The channel as the gateway keeps it for <c>Ready</c>; null when it no longer exists.</summary>
    internal Task<ChannelView?> FetchViewAsync(string channelId) =>
        _cluster.GetGrain<IChannelGrain>(channelId).GetView(_account);

    private ChannelFeed? FeedOf(string channelId) => _channels.TargetOf(channelId) switch
    {
        ChannelFeed feed => feed,
        LossyStreamTarget { Inner: ChannelFeed feed } => feed,
        _ => null,
    };

    /// <summary>The channel's changes after <paramref name="afterSeq"/>, and, if asked, which local users are no longer members.</summary>
    internal Task<ChannelChanges> FetchChangesAsync(string channelId, long afterSeq, int limit, bool askAboutMembers) =>
        _cluster.GetGrain<IChannelGrain>(channelId).GetChangesAfter(_account, afterSeq, limit, askAboutMembers ? _connections.UsersIn(channelId) : []);

    /// <summary>Takes every local connection of the user out of the channel, as a <c>MemberLeft</c> would.</summary>
    internal async Task RemoveUserFromChannelAsync(string channelId, string userId)
    {
        foreach (var connectionId in _connections.ConnectionsOf(userId))
        {
            await RemoveFromChannelAsync(connectionId, channelId);
        }
    }

    internal void Filled(string trigger, int changes) => _metrics.GapFilled(trigger, changes);

    /// <summary>Subscribes or releases the channel's stream after the registry changed it (a server's visibility decision).</summary>
    internal Task ReconcileChannelAsync(string channelId) => _channels.ReconcileAsync(channelId);

    private async Task RemoveFromChannelAsync(string connectionId, string channelId)
    {
        if (_connections.Leave(connectionId, channelId))
        {
            await _channels.ReconcileAsync(channelId);
        }
    }

    /// <summary>
    /// The event's channel's connections, as the record lists them when the send is made: after
    /// MemberLeft has taken the member out.
    /// </summary>
    private IChatClient Recipients(ChannelEvent channelEvent) => _hub.Clients.Clients(_connections.ConnectionsIn(channelEvent.ChannelId));

    private async Task SendAsync(ChannelEvent channelEvent)
    {
        switch (channelEvent)
        {
            case MessageCreated { Notified.Count: 0 } created:
                await Recipients(channelEvent).MessageCreated(created.Message);
                break;
            case MessageCreated created:
                SendWithNotifications(created);
                break;
            case MessageEdited edited:
                await Recipients(channelEvent).MessageEdited(edited.Message);
                break;
            case MessageDeleted deleted:
                await Recipients(channelEvent).MessageDeleted(deleted);
                break;
            case ReactionsUpdated reactions:
                await Recipients(channelEvent).ReactionsUpdated(reactions);
                break;
            case MemberJoined joined:
                await Recipients(channelEvent).MemberJoined(joined);
                break;
            case MemberRoleChanged changed:
                await Recipients(channelEvent).MemberRoleChanged(changed);
                break;
            case ChannelUpdated updated:
                await Recipients(channelEvent).ChannelUpdated(updated.Channel);
                break;
            case MemberLeft left:
                // Out of the channel first: from here on the member hears nothing of it. They
                // learn of it from ChannelRemoved on their own stream, on every device.
                await RemoveUserFromChannelAsync(left.ChannelId, left.UserId);
                await Recipients(channelEvent).MemberLeft(left);
                break;
            case TypingUpdated typing:
                await SendTypingAsync(typing);
                break;
            case ChannelDeleted deleted:
                await Recipients(channelEvent).ChannelDeleted(deleted);
                foreach (var connectionId in _connections.ConnectionsIn(deleted.ChannelId))
                {
                    await RemoveFromChannelAsync(connectionId, deleted.ChannelId);
                }

                break;
        }
    }

    /// <summary>
    /// A message that notified users (a mass mention's notifications ride on its event): the
    /// channel's connections get the message; every connection here of each user it notified (on
    /// any device, whichever channel it shows) gets the notification, built from the message, so
    /// the event carried only who and at which seq. A connection that gets both gets them in one
    /// write, the message first: an <c>@everyone</c> in a channel of 1,000 is then 1,000 WebSocket
    /// messages out of the gateways instead of 2,000 (docs/performance.md, Notifications).
    /// </summary>
    private void SendWithNotifications(MessageCreated created)
    {
        var message = created.Message;
        var guildId = Guilds.GuildIdOf(message.ChannelId);
        var excerpt = Excerpts.Of(message.Content);
        var notificationOf = new Dictionary<string, SerializedHubMessage>(StringComparer.Ordinal);
        foreach (var notified in created.Notified)
        {
            var connections = _connections.ConnectionsOf(notified.UserId);
            if (connections.Count == 0)
            {
                continue;
            }

            var notification = Frame(nameof(IChatClient.NotificationCreated), new Notification(
                notified.Seq, notified.Id.ToString(), notified.Kind, message.AuthorId, guildId, message.ChannelId,
                message.Id, message.Seq, excerpt, message.CreatedAt));
            foreach (var connectionId in connections)
            {
                notificationOf[connectionId] = notification;
            }
        }

        var messageFrame = Frame(nameof(IChatClient.MessageCreated), message);
        foreach (var connectionId in _connections.ConnectionsIn(message.ChannelId))
        {
            if (notificationOf.Remove(connectionId, out var notification))
            {
                _lifetime.SendTogether(connectionId, messageFrame, notification);
            }
            else
            {
                _lifetime.SendTogether(connectionId, messageFrame);
            }
        }

        foreach (var (connectionId, notification) in notificationOf)
        {
            _lifetime.SendTogether(connectionId, notification);
        }
    }

    /// <summary>An event to the client, serialized at most once per protocol whoever it goes to.</summary>
    private static SerializedHubMessage Frame(string method, object argument) => new(new InvocationMessage(method, [argument]));

    /// <summary>
    /// Typing goes to the channel's connections, but never the typing of someone who blocked the
    /// receiver: those receivers get the list without their blockers (usually nobody is left out,
    /// and the one frame goes to all).
    /// </summary>
    private async Task SendTypingAsync(TypingUpdated typing)
    {
        var everyone = _connections.ConnectionsIn(typing.ChannelId);
        var kept = typing.UserIds.SelectMany(Relationships.LocalUsersBlockedBy).Distinct().ToArray();
        if (kept.Length == 0)
        {
            await _hub.Clients.Clients(everyone).TypingUpdated(typing);
            return;
        }

        var inChannel = everyone.ToHashSet();
        var apart = new HashSet<string>();
        foreach (var userId in kept)
        {
            var connections = _connections.ConnectionsOf(userId).Where(inChannel.Contains).ToArray();
            apart.UnionWith(connections);
            var visible = typing with { UserIds = typing.UserIds.Where(typer => !Relationships.IsBlockedBy(userId, typer)).ToArray() };
            await _hub.Clients.Clients(connections).TypingUpdated(visible);
        }

        await _hub.Clients.Clients(everyone.Where(connectionId => !apart.Contains(connectionId)).ToArray()).TypingUpdated(typing);
    }

    /// <summary>
    /// Every gateway hears every presence change once, on its user's presence stream: this
    /// gateway's connections sharing one of the user's channels or servers, or of their friends, get
    /// it, each once, in their next presence batch; never those of users the user blocked.
    /// </summary>
    private Task SendPresenceAsync(PresenceChanged change)
    {
        Guilds.NotePresence(change);
        // Interest first: most of the cluster's changes concern nobody here, and leave no trace.
        // A connection listed twice (in two of the user's servers) is harmless: the batch keeps one
        // change per user. Only a block needs the set, to take its connections out; a user in 50
        // busy servers names 12,500 connections here, and the set cost a third of a change's time.
        var connections = change.ChannelIds.SelectMany(_connections.ConnectionsIn)
            .Concat(change.GuildIds.SelectMany(_connections.ConnectionsInGuild))
            .Concat(Relationships.LocalFriendsOf(change.Presence.UserId).SelectMany(_connections.ConnectionsOf));
        var blockedBy = Relationships.LocalUsersBlockedBy(change.Presence.UserId);
        if (blockedBy.Count > 0)
        {
            var unblocked = connections.ToHashSet();
            foreach (var blocked in blockedBy)
            {
                unblocked.ExceptWith(_connections.ConnectionsOf(blocked));
            }

            connections = unblocked;
        }

        _presenceBatches.Add(connections, change);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Subscribes this gateway to every presence stream, once, at its first connection: presence
    /// arrives per gateway, not per channel, so these few subscriptions serve every connection.
    /// </summary>
    private async Task SubscribeToPresenceAsync()
    {
        if (_presenceSubscribed)
        {
            return;
        }

        await _presenceGate.WaitAsync();
        try
        {
            if (_presenceSubscribed)
            {
                return;
            }

            for (var shard = 0; shard < StreamNames.PresenceShards; shard++)
            {
                await _presence.ReconcileAsync(shard.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            _presenceSubscribed = true;
        }
        finally
        {
            _presenceGate.Release();
        }
    }

    private async Task OnUserEventAsync(UserEvent userEvent)
    {
        var connections = _connections.ConnectionsOf(userEvent.UserId);
        var user = _hub.Clients.Clients(connections);
        switch (userEvent)
        {
            case ChannelAdded added:
                foreach (var connectionId in connections)
                {
                    await AddToChannelAsync(connectionId, added.Channel.Id);
                }

                await user.ChannelAdded(added.Channel);
                break;
            case ChannelRemoved removed:
                foreach (var connectionId in connections)
                {
                    await RemoveFromChannelAsync(connectionId, removed.ChannelId);
                }

                await user.ChannelRemoved(removed);
                break;
            case ReadStateUpdated read:
                await user.ReadStateUpdated(read);
                break;
            case NotificationCreated notified:
                await user.NotificationCreated(notified.Notification);
                break;
            case NotificationsAcked acked:
                await user.NotificationsAcked(acked);
                break;
            case RelationshipAdded added:
                Relationships.Apply(added);
                await user.RelationshipAdded(added.Relationship);
                await SendFriendPresenceAsync(connections, added.Relationship);
                break;
            case RelationshipUpdated updated:
                Relationships.Apply(updated);
                await user.RelationshipUpdated(updated.Relationship);
                await SendFriendPresenceAsync(connections, updated.Relationship);
                break;
            case RelationshipRemoved removed:
                Relationships.Apply(removed);
                await user.RelationshipRemoved(new RelationshipGone(removed.OtherUserId, removed.Version));
                break;
            case InvitationReceived invited:
                await user.InvitationReceived(invited.Invitation);
                break;
            case InvitationRemoved uninvited:
                await user.InvitationRemoved(new InvitationGone(uninvited.ChannelId, uninvited.Reason));
                break;
            case BlockedByChanged blocked:
                // For this gateway only: the blocked user is not told.
                Relationships.Apply(blocked);
                break;
            case GuildAdded added:
                await Guilds.AddedAsync(added.UserId, added.Membership);
                break;
            case GuildRemoved removed:
                await Guilds.RemovedAsync(removed);
                break;
            case Cryb.Voice.VoiceSessionEnded ended:
                await user.VoiceSessionEnded(ended);
                break;
            case Cryb.Voice.VoiceServerUpdate update:
                await user.VoiceServerUpdate(update);
                break;
            case AccountClosed closed:
                // Forgotten first, so a reconnect after the client hears of it asks the grain (and gets 401).
                _standings.Forget(closed.UserId);
                // Told why, then closed: the client should not reconnect with the same account.
                await user.AccountClosed(closed);
                foreach (var connectionId in connections)
                {
                    _connections.Abort(connectionId);
                }

                break;
        }
    }

    /// <summary>A new friend's presence, at once, from the presence feeds (nothing is sent of a friend who is offline).</summary>
    private async Task SendFriendPresenceAsync(IReadOnlyList<string> connections, Relationship relationship)
    {
        if (relationship.Kind != RelationshipKind.Friend || connections.Count == 0)
        {
            return;
        }

        var (online, _) = await Guilds.ReadPresencesAsync([relationship.UserId]);
        foreach (var change in online)
        {
            _presenceBatches.Add(connections.ToHashSet(), change);
        }
    }

    /// <summary>
    /// A user's stream needs no gap filling: what it carries (channels added or removed, read
    /// positions, account closure) a client reads again from <c>Ready</c> when it reconnects.
    /// </summary>
    private sealed class UserFeed(ChatFanout fanout) : IStreamTarget<UserEvent>
    {
        public Task OnNextAsync(UserEvent item) => fanout.OnUserEventAsync(item);

        public Task CatchUpAsync() => Task.CompletedTask;
    }

    /// <summary>Presence needs no gap filling either: a client that missed a change reads presence again on reconnect.</summary>
    private sealed class PresenceFeed(ChatFanout fanout) : IStreamTarget<PresenceChanged>
    {
        public Task OnNextAsync(PresenceChanged item) => fanout.SendPresenceAsync(item);

        public Task CatchUpAsync() => Task.CompletedTask;
    }

    private sealed class Lease(Func<Task> release) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await release();
    }
}
