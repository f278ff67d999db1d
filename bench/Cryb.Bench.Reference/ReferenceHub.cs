using Cryb.Channels;
using Cryb.Messages;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Bench.Reference;

/// <summary>
/// The methods of Cryb's chat hub the bench calls, done the plain SignalR way: a channel is a group,
/// a message goes out with one <c>Clients.Group(...).SendAsync</c>. No persistence, no rate limits.
/// </summary>
[Authorize]
public sealed class ReferenceHub(ReferenceChannels channels) : Hub
{
    public const string Path = "/hubs/chat";

    private const string JoinedKey = "joined";

    private string UserId => Context.UserIdentifier!;

    public override Task OnConnectedAsync()
    {
        Context.Items[JoinedKey] = new HashSet<string>(StringComparer.Ordinal);
        // As the gateway's Ready, which the bench waits for before it calls anything.
        return Clients.Caller.SendAsync("Ready", new { user = new { userId = UserId, displayName = Context.User?.Identity?.Name ?? UserId }, channels = Array.Empty<object>() });
    }

    public async Task<ChannelInfo> CreateChannel(string name, bool isPrivate)
    {
        var channel = channels.Create(name, isPrivate, UserId);
        await AddToGroupAsync(channel);
        return channel.Info;
    }

    public async Task<JoinResult> JoinChannel(string channelId, long? sinceSeq)
    {
        var channel = channels.Find(channelId) ?? throw new HubException("not_found: No such channel.");
        if (channel.Info.IsPrivate && channel.Info.OwnerId != UserId)
        {
            throw new HubException("forbidden: The channel is private.");
        }

        await AddToGroupAsync(channel);
        long latest;
        lock (channel)
        {
            latest = channel.LastSeq;
        }

        return new JoinResult(channel.Info, latest, [], Truncated: false);
    }

    public async Task<ChatMessage> SendMessage(string channelId, string content, string? nonce, string? replyToId)
    {
        if (!Joined.Contains(channelId) || channels.Find(channelId) is not { } channel)
        {
            throw new HubException("not_a_member: Join the channel first.");
        }

        ChatMessage message;
        Task sent;
        // The send starts under the lock: each connection's writes are queued in call order, so
        // seqs reach every member in order. Its flushes are awaited outside.
        lock (channel)
        {
            var seq = ++channel.LastSeq;
            message = new ChatMessage(Guid.CreateVersion7().ToString("N"), channelId, seq, UserId, content, nonce, replyToId, DateTimeOffset.UtcNow, null, seq, false, [], null, []);
            sent = Clients.Group(channelId).SendAsync("MessageCreated", message);
        }

        await sent;
        return message;
    }

    private HashSet<string> Joined => (HashSet<string>)Context.Items[JoinedKey]!;

    private async Task AddToGroupAsync(ReferenceChannel channel)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, channel.Info.Id);
        Joined.Add(channel.Info.Id);
    }
}
