using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Cryb.Bench.Measurement;

namespace Cryb.Bench.Load.Clients;

/// <summary>
/// The plumbing both lean clients share: one <see cref="ClientWebSocket"/>, a receive loop into one
/// growing buffer (no allocation per frame), sends one at a time, and the calls awaiting an answer
/// by id. The protocol subclass says how a call is written and how received bytes are read.
/// </summary>
/// <param name="address">The WebSocket URL, token included where the protocol wants it there.</param>
/// <param name="greeting">The first frame the client sends: the protocol's handshake.</param>
public abstract class WebSocketClient(string userId, string gatewayUrl, Uri address, byte[] greeting) : BenchClient(userId, gatewayUrl)
{
    private const int InitialBufferSize = 16 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_frame;

    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Dictionary<int, PendingCall> _pending = [];
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _nextCallId;
    private volatile bool _stopping;

    /// <summary>The ws:// (or wss://) URL of <paramref name="path"/> on <paramref name="serverUrl"/> with <paramref name="query"/>.</summary>
    protected static Uri WebSocketAddress(string serverUrl, string path, string query) =>
        new UriBuilder(serverUrl + path) { Scheme = serverUrl.StartsWith("https", StringComparison.Ordinal) ? "wss" : "ws", Query = query }.Uri;

    /// <summary>Why the server refused or closed the connection, when it said so.</summary>
    protected string? CloseReason { get; set; }

    /// <summary>Connects, sends the greeting, and waits until the protocol says the connection is ready (<see cref="MarkReady"/>).</summary>
    public override async Task ConnectAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        // The protocols keep the connection alive themselves; WebSocket pings would only add frames.
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
        // For a refusal's status and Retry-After (a gateway shedding connects answers 503 try_again).
        _socket.Options.CollectHttpResponseDetails = true;
        try
        {
            if (LoopbackSources.For(address) is { } invoker)
            {
                await _socket.ConnectAsync(address, invoker, deadline.Token);
            }
            else
            {
                await _socket.ConnectAsync(address, deadline.Token);
            }
        }
        catch (WebSocketException refused) when (_socket.HttpStatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            var retryAfter = _socket.HttpResponseHeaders?.TryGetValue("Retry-After", out var values) == true
                && int.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                    ? seconds * 1000
                    : (int?)null;
            throw new ConnectRefusedException($"{UserId}: the gateway refused the connection (503, Retry-After {retryAfter / 1000} s).", "try_again", retryAfter, refused);
        }
        _ = ReceiveLoopAsync();
        await SendFrameAsync(greeting, deadline.Token);
        var first = await Task.WhenAny(_ready.Task, _closed.Task).WaitAsync(deadline.Token);
        if (first != _ready.Task)
        {
            var message = $"{UserId}: the server closed the connection before it was ready{(CloseReason is null ? "" : $": {CloseReason}")}.";
            throw CloseReason is { } reason && ErrorCounter.CodeOf(reason) is { } code
                ? new ConnectRefusedException(message, code, ConnectRefusedException.RetryAfterMsOf(reason))
                : new IOException(message, await _closed.Task);
        }
    }

    public override async Task<string> CreateChannelAsync(string name, CancellationToken cancellation) =>
        Answered(await CallAsync("CreateChannel", inline: false, cancellation, name, false)).Id
        ?? throw new InvalidDataException("CreateChannel answered without an id.");

    public override async Task JoinChannelAsync(string channelId, CancellationToken cancellation) =>
        Answered(await CallAsync("JoinChannel", inline: false, cancellation, channelId, null));

    public override async Task<ResumeAnswer> ResumeChannelAsync(string channelId, long sinceSeq, CancellationToken cancellation)
    {
        var answer = Answered(await CallAsync("JoinChannel", inline: false, cancellation, channelId, sinceSeq));
        return new ResumeAnswer(answer.LatestSeq, answer.Missed ?? [], answer.Truncated);
    }

    public override async Task<long> SendAsync(string channelId, string content, string nonce) =>
        Answered(await CallAsync("SendMessage", inline: true, CancellationToken.None, channelId, content, nonce, null)).Seq;

    /// <summary>The connection is ready for calls (<c>Ready</c>, or Socket.IO's connect acknowledgement).</summary>
    protected void MarkReady()
    {
        ReadyAtMicros = BenchClock.NowMicros;
        _ready.TrySetResult();
    }

    /// <summary>
    /// Reads what arrived in <paramref name="data"/> (everything received and not yet consumed);
    /// returns how many bytes it consumed. <paramref name="endOfMessage"/> says a WebSocket message
    /// ends there.
    /// </summary>
    protected abstract int Consume(ReadOnlySpan<byte> data, bool endOfMessage);

    /// <summary>Writes a call of <paramref name="method"/> with id <paramref name="id"/> as one frame.</summary>
    protected abstract void WriteCall(ArrayBufferWriter<byte> frame, Utf8JsonWriter json, int id, string method, ReadOnlySpan<CallArgument> arguments);

    /// <summary>Calls <paramref name="method"/> and waits for its answer.</summary>
    /// <param name="inline">Run the caller's continuation on the receive loop: only for short ones (recording an acknowledgement).</param>
    private Task<CallAnswer> CallAsync(string method, bool inline, CancellationToken cancellation, params ReadOnlySpan<CallArgument> arguments)
    {
        var id = Interlocked.Increment(ref _nextCallId);
        var pending = new PendingCall(inline);
        lock (_pending)
        {
            _pending[id] = pending;
        }

        var frame = t_frame ??= new ArrayBufferWriter<byte>(256);
        frame.ResetWrittenCount();
        var json = t_json ??= new Utf8JsonWriter(frame);
        json.Reset(frame);
        WriteCall(frame, json, id, method, arguments);
        var bytes = ArrayPool<byte>.Shared.Rent(frame.WrittenCount);
        frame.WrittenSpan.CopyTo(bytes);
        if (cancellation.CanBeCanceled)
        {
            // Setup calls only: one given up on must not wait forever. Sends pass no token and pay nothing.
            var registration = cancellation.Register(() => Fail(id, new OperationCanceledException(cancellation)));
            pending.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }

        _ = SendCallAsync(id, bytes, frame.WrittenCount, cancellation);
        return pending.Task;
    }

    /// <summary>Sends one protocol frame (a handshake, a ping's answer) outside any call.</summary>
    protected async Task SendFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellation)
    {
        await _sendLock.WaitAsync(cancellation);
        try
        {
            await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellation);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends a frame nobody waits for (a ping, a pong); a closed connection is the receive loop's to report.</summary>
    protected async Task SendQuietlyAsync(ReadOnlyMemory<byte> frame)
    {
        try
        {
            await SendFrameAsync(frame, CancellationToken.None);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Nothing to do: the connection is gone.
        }
    }

    /// <summary>The answer to call <paramref name="id"/> arrived; unknown ids (answered after a timeout) are ignored.</summary>
    protected void Complete(int id, in CallAnswer answer)
    {
        PendingCall? pending;
        lock (_pending)
        {
            _pending.Remove(id, out pending);
        }

        pending?.TrySetResult(answer);
    }

    /// <summary>The answer, or its refusal as an exception the error counter reads by code.</summary>
    private static CallAnswer Answered(CallAnswer answer) => answer.Error is { } error ? throw new CallRefusedException(error) : answer;

    public override async ValueTask DisposeAsync()
    {
        _stopping = true;
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, deadline.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closing is best effort: the server drops the connection when the socket goes.
        }

        _socket.Dispose();
    }

    private async Task SendCallAsync(int id, byte[] bytes, int length, CancellationToken cancellation)
    {
        try
        {
            await SendFrameAsync(bytes.AsMemory(0, length), cancellation);
        }
        catch (Exception ex)
        {
            Fail(id, ex is WebSocketException or ObjectDisposedException ? new IOException($"{UserId}: the connection closed.", ex) : ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private void Fail(int id, Exception error)
    {
        PendingCall? pending;
        lock (_pending)
        {
            _pending.Remove(id, out pending);
        }

        pending?.TrySetException(error);
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? error = null;
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }

                var received = await _socket.ReceiveAsync(_buffer.AsMemory(filled), CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                filled += received.Count;
                var consumed = Consume(_buffer.AsSpan(0, filled), received.EndOfMessage);
                if (consumed > 0)
                {
                    _buffer.AsSpan(consumed, filled - consumed).CopyTo(_buffer);
                    filled -= consumed;
                }
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }

        var closed = new IOException($"{UserId}: the connection closed{(error is null ? "" : $": {error.Message}")}.", error);
        PendingCall[] orphans;
        lock (_pending)
        {
            orphans = [.. _pending.Values];
            _pending.Clear();
        }

        foreach (var orphan in orphans)
        {
            orphan.TrySetException(closed);
        }

        OnClosed(error, _stopping);
        _closed.TrySetResult(error);
    }

    /// <summary>A call awaiting its answer; a class of its own so a call costs one allocation besides its task.</summary>
    private sealed class PendingCall(bool inline)
        : TaskCompletionSource<CallAnswer>(inline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// What a call's answer carried that the bench uses: the stored message's seq, a created channel's
/// id, a join's latest seq and missed seqs, or a refusal.
/// </summary>
public readonly record struct CallAnswer(long Seq, string? Id, string? Error, long LatestSeq = 0, IReadOnlyList<long>? Missed = null, bool Truncated = false);

/// <summary>One argument of a call: a string, a boolean, a whole number, or null.</summary>
public readonly record struct CallArgument(string? Text, bool? Flag = null, long? Number = null)
{
    public static implicit operator CallArgument(string? text) => new(text);

    public static implicit operator CallArgument(bool flag) => new(null, flag);

    public static implicit operator CallArgument(long number) => new(null, null, number);

    /// <summary>Writes the arguments as the elements of the JSON array the writer is in.</summary>
    public static void WriteAll(Utf8JsonWriter json, ReadOnlySpan<CallArgument> arguments)
    {
        foreach (var argument in arguments)
        {
            if (argument.Flag is { } flag)
            {
                json.WriteBooleanValue(flag);
            }
            else if (argument.Number is { } number)
            {
                json.WriteNumberValue(number);
            }
            else if (argument.Text is { } text)
            {
                json.WriteStringValue(text);
            }
            else
            {
                json.WriteNullValue();
            }
        }
    }
}

/// <summary>The server refused a call; the message starts with the refusal's stable code (<c>rate_limited: ...</c>) or carries SignalR's <c>HubException: code: ...</c>.</summary>
public sealed class CallRefusedException(string message) : Exception(message);

/// <summary>
/// The server refused a connection before <c>Ready</c> with a coded reason: <c>try_again</c> (a 503
/// from a gateway shedding connects; come back after <see cref="RetryAfterMs"/>, from its
/// <c>Retry-After</c>), <c>too_many_connections</c> (closed with that reason), ...
/// </summary>
public sealed partial class ConnectRefusedException(string message, string code, int? retryAfterMs, Exception? inner = null) : IOException(message, inner)
{
    public string Code { get; } = code;

    public int? RetryAfterMs { get; } = retryAfterMs;

    /// <summary>
    /// How long to wait before trying again, when the refusal named a time: that time and a random
    /// share of a second more, as docs/protocol.md advises, so the refused do not come back together.
    /// </summary>
    public TimeSpan? NextWait() => RetryAfterMs is { } ms ? TimeSpan.FromMilliseconds(ms + Random.Shared.Next(1000)) : null;

    public static int? RetryAfterMsOf(string reason) =>
        RetryAfterPattern().Match(reason) is { Success: true } match ? int.Parse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) : null;

    [System.Text.RegularExpressions.GeneratedRegex(@"retryAfterMs=(\d+)")]
    private static partial System.Text.RegularExpressions.Regex RetryAfterPattern();
}
