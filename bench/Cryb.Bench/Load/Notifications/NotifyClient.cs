using Cryb.Bench.Measurement;
using Microsoft.AspNetCore.SignalR.Client;

namespace Cryb.Bench.Load.Notifications;

/// <summary>
/// One member's connection for the <c>notifications</c> scenario, on the official .NET SignalR
/// client with the JSON protocol (<see cref="ReadyHubConnection"/>, as the servers and friends
/// scenarios connect): it creates the server, sends messages and hears <c>NotificationCreated</c>.
/// It sets no handler for <c>MessageCreated</c>: every member receives each message of the channel,
/// and the client skips those frames unread (reading 1,000 copies would cost the generator more
/// than it tells).
/// </summary>
public sealed class NotifyClient : IAsyncDisposable
{
    private readonly ReadyHubConnection _connection;

    public NotifyClient(string gatewayUrl, string userId, string token)
    {
        UserId = userId;
        _connection = new ReadyHubConnection(gatewayUrl, token);
    }

    public string UserId { get; }

    /// <summary>
    /// Hears every <c>NotificationCreated</c> this connection receives, with its arrival time on
    /// <see cref="BenchClock"/>, on the connection's receive loop (one at a time, in the order
    /// sent). Set before <see cref="ConnectAsync"/>.
    /// </summary>
    public void OnNotification(Action<NotificationSeen, long> handler) =>
        _connection.Hub.On<NotificationSeen>("NotificationCreated", notification => handler(notification, BenchClock.NowMicros));

    public Task ConnectAsync(TimeSpan timeout, CancellationToken cancellation) => _connection.ConnectAsync(timeout, cancellation);

    /// <summary><c>CreateGuild(name)</c>: the new server's id and its text channel ("general", which every member can view).</summary>
    public async Task<(string GuildId, string ChannelId)> CreateGuildAsync(string name, CancellationToken cancellation)
    {
        var state = await _connection.Hub.InvokeAsync<GuildAnswer>("CreateGuild", name, cancellation);
        var text = state.Channels.FirstOrDefault(channel => channel.Type == "text")
            ?? throw new BenchSetupException($"the new server {state.Guild.Id} has no text channel");
        return (state.Guild.Id, text.Id);
    }

    /// <summary><c>SendMessage(channelId, content, nonce, null)</c>: the stored message's id and seq.</summary>
    public Task<SentMessage> SendMessageAsync(string channelId, string content, string nonce, CancellationToken cancellation) =>
        _connection.Hub.InvokeAsync<SentMessage>("SendMessage", channelId, content, nonce, (string?)null, cancellation);

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private sealed record GuildAnswer(GuildRef Guild, IReadOnlyList<ChannelRef> Channels);

    private sealed record GuildRef(string Id);

    private sealed record ChannelRef(string Id, string Type);
}

/// <summary>The fields of a stored message the scenario keeps.</summary>
public sealed record SentMessage(string Id, long Seq);
