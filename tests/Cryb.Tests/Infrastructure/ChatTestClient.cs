using System.Threading.Channels;
using Cryb.Channels;
using Cryb.Messages;
using Microsoft.AspNetCore.SignalR.Client;

namespace Cryb.Tests.Infrastructure;

/// <summary>A user on the official .NET SignalR client, recording every event it receives.</summary>
public sealed class ChatTestClient : IAsyncDisposable
{
    private readonly Channel<ChatMessage> _created = Channel.CreateUnbounded<ChatMessage>();

    private ChatTestClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<ChatMessage>("MessageCreated", message => _created.Writer.TryWrite(message));
    }

    public HubConnection Connection { get; }

    public static async Task<ChatTestClient> ConnectAsync(string gatewayUrl, string token)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl($"{gatewayUrl}/hubs/chat", options => options.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        var client = new ChatTestClient(connection);
        await connection.StartAsync();
        return client;
    }

    public Task<ChannelInfo> CreateChannelAsync(string name, bool isPrivate = false) =>
        Connection.InvokeAsync<ChannelInfo>("CreateChannel", name, isPrivate);

    public Task<JoinResult> JoinChannelAsync(string channelId, long? sinceSeq = null) =>
        Connection.InvokeAsync<JoinResult>("JoinChannel", channelId, sinceSeq);

    public Task<ChatMessage> SendMessageAsync(string channelId, string content, string? nonce = null, string? replyToId = null) =>
        Connection.InvokeAsync<ChatMessage>("SendMessage", channelId, content, nonce, replyToId);

    public Task<ChatMessage[]> GetHistoryAsync(string channelId, long? beforeSeq = null, int limit = 50) =>
        Connection.InvokeAsync<ChatMessage[]>("GetHistory", channelId, beforeSeq, limit);

    /// <summary>The next <c>MessageCreated</c> event, or a timeout naming what was awaited.</summary>
    public async Task<ChatMessage> NextMessageCreatedAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _created.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No MessageCreated event arrived in time.");
        }
    }

    /// <summary>True when no <c>MessageCreated</c> event is waiting.</summary>
    public bool HasNoPendingMessages => !_created.Reader.TryPeek(out _);

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
