using System.Net.WebSockets;
using System.Text;

namespace Cryb.Chaos.Faults;

/// <summary>
/// A client that joins a channel and then never reads its socket again, as a frozen tab does.
/// Raw WebSocket frames, because the official client always reads: what piles up is the
/// gateway's problem, and the checker's other clients must not notice it.
/// </summary>
public sealed class SlowClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly ClientWebSocket _socket;

    private SlowClient(ClientWebSocket socket) => _socket = socket;

    public static async Task<SlowClient> ConnectAsync(string gatewayUrl, string token, string channelId)
    {
        var socket = new ClientWebSocket();
        // The smallest receive buffer the runtime allows: the kernel's socket buffer fills sooner.
        socket.Options.SetBuffer(256, 256);
        var uri = new Uri($"{gatewayUrl.Replace("http://", "ws://", StringComparison.Ordinal)}/hubs/chat?access_token={Uri.EscapeDataString(token)}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(uri, timeout.Token);
        await SendAsync(socket, "{\"protocol\":\"json\",\"version\":1}", timeout.Token);
        // The handshake answer, read once; then the join, whose answer is never read.
        await socket.ReceiveAsync(new ArraySegment<byte>(new byte[256]), timeout.Token);
        await SendAsync(socket, $"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"JoinChannel\",\"arguments\":[\"{channelId}\",null]}}", timeout.Token);
        return new SlowClient(socket);
    }

    /// <summary>Whether the gateway has closed or reset the connection (found by trying to send a ping).</summary>
    public async Task<bool> WasClosedAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await SendAsync(_socket, "{\"type\":6}", timeout.Token);
            return _socket.State != WebSocketState.Open;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private static Task SendAsync(ClientWebSocket socket, string frame, CancellationToken cancellation) =>
        socket.SendAsync(new ArraySegment<byte>(Encoding.UTF8.GetBytes(frame + RecordSeparator)), WebSocketMessageType.Text, true, cancellation);
}
