using Cryb.Channels;
using Cryb.Gateway.Fanout;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Users;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// The public chat protocol at <c>/hubs/chat</c>. Stateless like every hub: it authenticates,
/// checks argument shapes, forwards to grains (which authorize the caller themselves) and keeps
/// the fan-out's view of this connection's channels current.
/// </summary>
[Authorize]
public sealed class ChatHub(IClusterClient cluster, ChatFanout fanout) : Hub<IChatClient>
{
    public const string Path = "/hubs/chat";

    private Caller Caller => Caller.User(Context.UserIdentifier!);

    public override async Task OnConnectedAsync()
    {
        var userId = Ids.Require(Context.UserIdentifier, "The token's sub claim");
        var displayName = Context.User?.Identity?.Name ?? userId;
        var session = await cluster.GetGrain<IUserGrain>(userId).Connect(Caller, displayName);
        await fanout.ConnectAsync(Context.ConnectionId, userId, session.ChannelIds);
    }

    public override Task OnDisconnectedAsync(Exception? exception) =>
        fanout.DisconnectAsync(Context.ConnectionId);

    public async Task<ChannelInfo> CreateChannel(string name, bool isPrivate)
    {
        var channelId = Ids.NewChannelId();
        await using (await fanout.HoldChannelAsync(channelId))
        {
            var channel = await Channel(channelId).Create(Caller, name, isPrivate);
            await fanout.AddToChannelAsync(Context.ConnectionId, channelId);
            return channel;
        }
    }

    public async Task<JoinResult> JoinChannel(string channelId, long? sinceSeq)
    {
        Ids.Require(channelId, nameof(channelId));
        // Subscribe before joining, so events published after the join result are already flowing;
        // the connection itself joins the fan-out group only once the grain has accepted it.
        await using (await fanout.HoldChannelAsync(channelId))
        {
            var result = await Channel(channelId).Join(Caller, sinceSeq);
            await fanout.AddToChannelAsync(Context.ConnectionId, channelId);
            return result;
        }
    }

    public Task<ChatMessage> SendMessage(string channelId, string content, string? nonce, string? replyToId) =>
        Channel(Ids.Require(channelId, nameof(channelId))).SendMessage(Caller, new SendMessageRequest(content, nonce, replyToId));

    public Task<IReadOnlyList<ChatMessage>> GetHistory(string channelId, long? beforeSeq, int limit) =>
        Channel(Ids.Require(channelId, nameof(channelId))).GetHistory(Caller, beforeSeq, limit);

    private IChannelGrain Channel(string channelId) => cluster.GetGrain<IChannelGrain>(channelId);
}
