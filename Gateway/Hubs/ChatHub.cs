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
public sealed class ChatHub(IClusterClient cluster, ChatFanout fanout, ILogger<ChatHub> logger) : Hub<IChatClient>
{
    public const string Path = "/hubs/chat";

    private Caller Caller => Caller.User(Context.UserIdentifier!);

    public override async Task OnConnectedAsync()
    {
        var userId = Ids.Require(Context.UserIdentifier, "The token's sub claim");
        var displayName = Context.User?.Identity?.Name ?? userId;
        var session = await User(userId).Connect(Caller, displayName);
        await fanout.ConnectAsync(Context.ConnectionId, userId, session.ChannelIds);
        var channels = await Task.WhenAll(session.ChannelIds.Select(channelId => SummaryAsync(channelId, session)));
        await Clients.Caller.Ready(new ReadyPayload(
            new ReadyUser(userId, session.DisplayName),
            channels.OfType<ChannelSummary>().ToArray()));
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

    public async Task<ChannelInfo> OpenDirectMessage(string userId)
    {
        var channelId = DirectMessages.ChannelId(Caller.MemberId, Ids.Require(userId, nameof(userId)));
        await using (await fanout.HoldChannelAsync(channelId))
        {
            var channel = await Channel(channelId).OpenDirect(Caller, userId);
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

    public Task InviteToChannel(string channelId, string userId) =>
        Channel(channelId).Invite(Caller, Ids.Require(userId, nameof(userId)));

    public Task LeaveChannel(string channelId) => Channel(channelId).Leave(Caller);

    public Task KickMember(string channelId, string userId) =>
        Channel(channelId).Kick(Caller, Ids.Require(userId, nameof(userId)));

    public Task BanMember(string channelId, string userId) =>
        Channel(channelId).Ban(Caller, Ids.Require(userId, nameof(userId)));

    public Task SetMemberRole(string channelId, string userId, ChannelRole role) =>
        Channel(channelId).SetMemberRole(Caller, Ids.Require(userId, nameof(userId)), role);

    public Task<IReadOnlyList<ChannelMember>> GetMembers(string channelId) => Channel(channelId).GetMembers(Caller);

    public Task<ChannelInfo> UpdateChannel(string channelId, string name, string? topic) =>
        Channel(channelId).Update(Caller, name, topic);

    public Task DeleteChannel(string channelId) => Channel(channelId).Delete(Caller);

    public Task<ChatMessage> SendMessage(string channelId, string content, string? nonce, string? replyToId) =>
        Channel(channelId).SendMessage(Caller, new SendMessageRequest(content, nonce, replyToId));

    public Task<ChatMessage> EditMessage(string channelId, string messageId, string content) =>
        Channel(channelId).EditMessage(Caller, messageId, content);

    public Task DeleteMessage(string channelId, string messageId) => Channel(channelId).DeleteMessage(Caller, messageId);

    public Task<IReadOnlyList<ReactionSummary>> AddReaction(string channelId, string messageId, string emoji) =>
        Channel(channelId).AddReaction(Caller, messageId, emoji);

    public Task<IReadOnlyList<ReactionSummary>> RemoveReaction(string channelId, string messageId, string emoji) =>
        Channel(channelId).RemoveReaction(Caller, messageId, emoji);

    public Task<IReadOnlyList<ChatMessage>> GetHistory(string channelId, long? beforeSeq, int limit) =>
        Channel(channelId).GetHistory(Caller, beforeSeq, limit);

    public Task<long> MarkRead(string channelId, long seq) =>
        User(Caller.Id).MarkRead(Caller, Ids.Require(channelId, nameof(channelId)), seq);

    /// <summary>A channel grain for a checked id: ids become grain and stream keys.</summary>
    private IChannelGrain Channel(string channelId) =>
        cluster.GetGrain<IChannelGrain>(Ids.Require(channelId, nameof(channelId)));

    private IUserGrain User(string userId) => cluster.GetGrain<IUserGrain>(userId);

    private async Task<ChannelSummary?> SummaryAsync(string channelId, UserSession session)
    {
        try
        {
            return await Channel(channelId).GetSummary(Caller, session.LastReadSeqs.GetValueOrDefault(channelId));
        }
        catch (Errors.ChatException ex)
        {
            // Removed from the channel between the session read and now: it is simply not listed.
            logger.LogDebug("Channel {ChannelId} left out of Ready for {UserId}: {Code}", channelId, session.UserId, ex.Code);
            return null;
        }
    }
}
