using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Cryb.Tests.Fuzz;

/// <summary>
/// A bare WebSocket to the hub that sends whatever bytes it is given and reads the server's frames
/// with the SignalR protocol the connection's handshake chose.
/// </summary>
public sealed class FuzzConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly IHubProtocol _reader;
    private byte[] _pending = new byte[64 * 1024];
    private int _pendingLength;

    private FuzzConnection(ClientWebSocket socket, IHubProtocol reader)
    {
        _socket = socket;
        _reader = reader;
    }

    /// <summary>True once the server closed the connection; nothing more will come.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>The error of the server's close message or failed handshake, if it gave one.</summary>
    public string? CloseError { get; private set; }

    /// <summary>Opens the WebSocket straight away (no negotiation, as clients with skipNegotiation do); the handshake is the caller's to send.</summary>
    public static async Task<FuzzConnection> OpenAsync(string gatewayUrl, string token, IHubProtocol reader)
    {
        var socket = new ClientWebSocket();
        var uri = new Uri($"{gatewayUrl.Replace("http://", "ws://", StringComparison.Ordinal)}/hubs/chat?access_token={Uri.EscapeDataString(token)}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(uri, timeout.Token);
        return new FuzzConnection(socket, reader);
    }

    /// <summary>The handshake request of <paramref name="protocol"/>, version 1, as the official clients send it.</summary>
    public static byte[] Handshake(string protocol) => Encoding.UTF8.GetBytes($"{{\"protocol\":\"{protocol}\",\"version\":1}}\u001e");

    /// <summary>Sends one WebSocket message; false when the server had already closed the connection.</summary>
    public async Task<bool> SendAsync(byte[] bytes, WebSocketMessageType type)
    {
        if (IsClosed)
        {
            return false;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _socket.SendAsync(bytes, type, endOfMessage: true, timeout.Token);
            return true;
        }
        catch (WebSocketException)
        {
            IsClosed = true;
            return false;
        }
    }

    /// <summary>Sends a handshake request and reads the answer: true when accepted; otherwise the connection is closed.</summary>
    public async Task<bool> HandshakeAsync(byte[] request, WebSocketMessageType type, TimeSpan timeout)
    {
        if (!await SendAsync(request, type))
        {
            return false;
        }

        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            var buffered = new ReadOnlySequence<byte>(_pending, 0, _pendingLength);
            if (HandshakeProtocol.TryParseResponseMessage(ref buffered, out var response))
            {
                Consume(buffered);
                if (response.Error is null)
                {
                    return true;
                }

                CloseError = response.Error;
                IsClosed = true;
                return false;
            }

            if (!await ReceiveMoreAsync(cancel.Token, "the handshake response"))
            {
                return false;
            }
        }
    }

    /// <summary>The next frame from the server; null once the connection is closed (a close message included).</summary>
    /// <remarks>The deadline is the caller's, for all its reads: the server's pings would restart a timeout per read.</remarks>
    public async Task<HubMessage?> ReceiveAsync(CancellationToken deadline, string what)
    {
        while (!IsClosed)
        {
            var buffered = new ReadOnlySequence<byte>(_pending, 0, _pendingLength);
            if (_reader.TryParseMessage(ref buffered, ReplyBinder.Instance, out var message))
            {
                Consume(buffered);
                if (message is CloseMessage close)
                {
                    CloseError = close.Error;
                    IsClosed = true;
                    return null;
                }

                return message;
            }

            await ReceiveMoreAsync(deadline, what);
        }

        return null;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<bool> ReceiveMoreAsync(CancellationToken cancellationToken, string what)
    {
        if (_pending.Length - _pendingLength < 16 * 1024)
        {
            Array.Resize(ref _pending, _pending.Length * 2);
        }

        try
        {
            var result = await _socket.ReceiveAsync(_pending.AsMemory(_pendingLength), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                IsClosed = true;
                return false;
            }

            _pendingLength += result.Count;
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Nothing came for {what} in time.");
        }
        catch (WebSocketException)
        {
            IsClosed = true; // reset, or closed without a close frame
            return false;
        }
    }

    /// <summary>Drops the bytes a parse consumed; <paramref name="rest"/> is what it left.</summary>
    private void Consume(ReadOnlySequence<byte> rest)
    {
        var consumed = _pendingLength - (int)rest.Length;
        Array.Copy(_pending, consumed, _pending, 0, (int)rest.Length);
        _pendingLength = (int)rest.Length;
    }

    /// <summary>
    /// Results are read as plain objects; the server's own calls (Ready, events) are not read at
    /// all: their targets have no parameter types here, so they parse as binding failures the
    /// fuzzer skips.
    /// </summary>
    private sealed class ReplyBinder : IInvocationBinder
    {
        public static readonly ReplyBinder Instance = new();

        public Type GetReturnType(string invocationId) => typeof(object);

        public IReadOnlyList<Type> GetParameterTypes(string methodName) => throw new HubException($"{methodName} is not read by the fuzzer.");

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
