using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// A client speaking the SignalR JSON protocol over a bare WebSocket, for what the official client
/// never does: stop reading while the server keeps sending, or send a frame that is not a message.
/// Its socket's receive buffer is small, so the server's buffers fill after a few events.
/// </summary>
public sealed class RawSignalRClient : IAsyncDisposable
{
    public const char RecordSeparator = '\u001e';

    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker _invoker;
    private readonly StringBuilder _pending = new();
    private readonly Queue<string> _frames = new();
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder(); // a character may span two reads

    private RawSignalRClient(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        _socket = socket;
        _invoker = invoker;
    }

    /// <summary>Connects straight over WebSockets (no negotiation, as clients with skipNegotiation do) and sends the handshake.</summary>
    public static async Task<RawSignalRClient> ConnectAsync(string gatewayUrl, string token, int receiveBufferBytes = 4096)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                // Set before connecting, so the TCP window the server sees stays this small.
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = receiveBufferBytes };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var invoker = new HttpMessageInvoker(handler);
        var socket = new ClientWebSocket();
        socket.Options.SetBuffer(receiveBufferBytes, 4096);
        var uri = new Uri($"{gatewayUrl.Replace("http://", "ws://", StringComparison.Ordinal)}/hubs/chat?access_token={Uri.EscapeDataString(token)}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(uri, invoker, timeout.Token);
        var client = new RawSignalRClient(socket, invoker);
        await client.SendRawAsync("{\"protocol\":\"json\",\"version\":1}" + RecordSeparator);
        return client;
    }

    public WebSocketState State => _socket.State;

    /// <summary>Sends text as one WebSocket message, exactly as given (add the record separator yourself).</summary>
    public async Task SendRawAsync(string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
    }

    /// <summary>Reads frames until one satisfies <paramref name="match"/>, or a timeout naming <paramref name="what"/>.</summary>
    public async Task<string> ReceiveUntilAsync(Func<string, bool> match, string what, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var frame = await NextFrameAsync(cancel.Token) ?? throw new InvalidOperationException($"The connection closed before {what}.");
                if (match(frame))
                {
                    return frame;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No frame for {what} arrived in time.");
        }
    }

    /// <summary>
    /// Reads and discards everything until the server ends the connection (a close frame, end of
    /// stream or a reset); false if it is still open after <paramref name="timeout"/>.
    /// </summary>
    public async Task<bool> WaitUntilClosedAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, cancel.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return false;
        }
        catch (WebSocketException)
        {
            return true; // reset, or closed without a close frame
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        _invoker.Dispose();
        await Task.CompletedTask;
    }

    private async Task<string?> NextFrameAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var chars = new char[buffer.Length];
        while (_frames.Count == 0)
        {
            var result = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            _pending.Append(chars, 0, _utf8.GetChars(buffer, 0, result.Count, chars, 0));
            var text = _pending.ToString();
            var end = text.LastIndexOf(RecordSeparator);
            if (end >= 0)
            {
                foreach (var frame in text[..end].Split(RecordSeparator))
                {
                    _frames.Enqueue(frame);
                }

                _pending.Clear().Append(text[(end + 1)..]);
            }
        }

        return _frames.Dequeue();
    }
}
