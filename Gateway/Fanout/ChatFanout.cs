using Cryb.Channels;
using Cryb.Gateway.Hubs;
using Cryb.Users;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// Delivers channel and user stream events to this gateway's connections. Each channel with a local
/// member connection has one stream subscription and one SignalR group; each user with a local
/// connection has one user-stream subscription, through which a membership gained on another
/// device or gateway reaches this one.
/// </summary>
public sealed class ChatFanout
{
    private readonly IHubContext<ChatHub, IChatClient> _hub;
    private readonly ConnectionRegistry _connections;
    private readonly StreamSubscriptions<ChannelEvent> _channels;
    private readonly StreamSubscriptions<UserEvent> _users;

    public ChatFanout(IClusterClient cluster, IHubContext<ChatHub, IChatClient> hub, ConnectionRegistry connections, ILogger<ChatFanout> logger)
    {
        _hub = hub;
        _connections = connections;
        _channels = new StreamSubscriptions<ChannelEvent>(cluster, StreamNames.Channel, OnChannelEventAsync, logger);
        _users = new StreamSubscriptions<UserEvent>(cluster, StreamNames.User, OnUserEventAsync, logger);
    }

    public int ChannelSubscriptionCount => _channels.Count;

    public static string ChannelGroup(string channelId) => "channel:" + channelId;

    public async Task ConnectAsync(string connectionId, string userId, IEnumerable<string> channelIds)
    {
        if (_connections.Add(connectionId, userId))
        {
            await _users.AcquireAsync(userId);
        }

        foreach (var channelId in channelIds)
        {
            await AddToChannelAsync(connectionId, channelId);
        }
    }

    public async Task DisconnectAsync(string connectionId)
    {
        var (channels, lastOfUser) = _connections.Remove(connectionId);
        foreach (var channelId in channels)
        {
            await _channels.ReleaseAsync(channelId);
        }

        if (lastOfUser is not null)
        {
            await _users.ReleaseAsync(lastOfUser);
        }
    }

    /// <summary>Adds a connection of a member to the channel's fan-out; idempotent.</summary>
    public async Task AddToChannelAsync(string connectionId, string channelId)
    {
        if (_connections.AddChannel(connectionId, channelId))
        {
            await _channels.AcquireAsync(channelId);
            await _hub.Groups.AddToGroupAsync(connectionId, ChannelGroup(channelId));
        }
    }

    /// <summary>Keeps the channel's stream subscribed while the returned lease is held.</summary>
    public async Task<IAsyncDisposable> HoldChannelAsync(string channelId)
    {
        await _channels.AcquireAsync(channelId);
        return new Lease(() => _channels.ReleaseAsync(channelId));
    }

    private Task OnChannelEventAsync(ChannelEvent channelEvent) => channelEvent switch
    {
        MessageCreated created => _hub.Clients.Group(ChannelGroup(created.ChannelId)).MessageCreated(created.Message),
        _ => Task.CompletedTask,
    };

    private async Task OnUserEventAsync(UserEvent userEvent)
    {
        switch (userEvent)
        {
            case ChannelAdded added:
                foreach (var connectionId in _connections.ConnectionsOf(added.UserId))
                {
                    await AddToChannelAsync(connectionId, added.Channel.Id);
                }

                break;
        }
    }

    private sealed class Lease(Func<Task> release) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await release();
    }
}
