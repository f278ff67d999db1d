using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Cryb.Bench.Measurement;

namespace Cryb.Bench.Load.Clients;

/// <summary>
/// Socket.IO v4 over Engine.IO v4 on a bare WebSocket (<c>?EIO=4&amp;transport=websocket</c>), for
/// the baseline in <c>bench/socketio</c>: the open packet <c>0{...}</c>, the namespace connect
/// <c>40{auth}</c> answered by <c>40{sid}</c> or refused by <c>44{message}</c>, the server's pings
/// <c>2</c> answered with <c>3</c>, events <c>42[name, payload]</c>, emits with an ack id
/// <c>42&lt;id&gt;[...]</c> answered by <c>43&lt;id&gt;[result]</c>. One WebSocket message is one
/// packet. Receiving reads only what the checker needs, as <see cref="LeanSignalRClient"/> does.
/// </summary>
public sealed class SocketIoClient : WebSocketClient
{
    private static readonly byte[] Pong = "3"u8.ToArray();

    private readonly Uri _uri;
    private readonly byte[] _connect;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _refusal;

    public SocketIoClient(string serverUrl, string userId, string token) : base(userId, serverUrl)
    {
        var ws = new UriBuilder(serverUrl + "/socket.io/") { Scheme = serverUrl.StartsWith("https", StringComparison.Ordinal) ? "wss" : "ws" };
        ws.Query = "EIO=4&transport=websocket";
        _uri = ws.Uri;
        _connect = Encoding.UTF8.GetBytes("40" + JsonSerializer.Serialize(new { token }));
    }

    public override async Task ConnectAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        await OpenAsync(_uri, deadline.Token);
        // The server's open packet may arrive first or not; the namespace connect may follow at once.
        await SendFrameAsync(_connect, deadline.Token);
        var first = await Task.WhenAny(_ready.Task, Closed).WaitAsync(deadline.Token);
        if (first != _ready.Task)
        {
            throw new IOException($"{UserId}: the server closed the connection before connecting{(_refusal is null ? "" : $": {_refusal}")}.", await Closed);
        }
    }

    public override async Task<string> CreateChannelAsync(string name, CancellationToken cancellation) =>
        Answered(await CallAsync("CreateChannel", inline: false, cancellation, name, false)).Id
        ?? throw new InvalidDataException("CreateChannel answered without an id.");

    public override async Task JoinChannelAsync(string channelId, CancellationToken cancellation) =>
        Answered(await CallAsync("JoinChannel", inline: false, cancellation, channelId, null));

    public override async Task<long> SendAsync(string channelId, string content, string nonce) =>
        Answered(await CallAsync("SendMessage", inline: true, CancellationToken.None, channelId, content, nonce, null)).Seq;

    protected override void WriteCall(ArrayBufferWriter<byte> frame, Utf8JsonWriter json, int id, string method, ReadOnlySpan<CallArgument> arguments)
    {
        var prefix = frame.GetSpan(16);
        prefix[0] = (byte)'4';
        prefix[1] = (byte)'2';
        Utf8Formatter.TryFormat(id, prefix[2..], out var length);
        frame.Advance(2 + length);
        json.WriteStartArray();
        json.WriteStringValue(method);
        CallArgument.WriteAll(json, arguments);
        json.WriteEndArray();
        json.Flush();
    }

    protected override int Consume(ReadOnlySpan<byte> data, bool endOfMessage)
    {
        if (!endOfMessage)
        {
            return 0;
        }

        Packet(data);
        return data.Length;
    }

    private static CallAnswer Answered(CallAnswer answer) => answer.Error is { } error ? throw Refusal(error) : answer;

    private void Packet(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return;
        }

        switch (packet[0])
        {
            case (byte)'2':
                _ = SendQuietlyAsync(Pong);
                return;
            case (byte)'4' when packet.Length > 1:
                SocketPacket(packet[1], packet[2..]);
                return;
        }
    }

    private void SocketPacket(byte type, ReadOnlySpan<byte> body)
    {
        switch (type)
        {
            case (byte)'0':
                ReadyAtMicros = BenchClock.NowMicros;
                _ready.TrySetResult();
                break;
            case (byte)'4':
                _refusal = Encoding.UTF8.GetString(body);
                break;
            case (byte)'2':
                Event(body);
                break;
            case (byte)'3':
                var digits = body.IndexOf((byte)'[');
                if (digits > 0 && Utf8Parser.TryParse(body[..digits], out int id, out _))
                {
                    var answer = new Utf8JsonReader(body[digits..]);
                    Complete(id, answer.Read() && answer.Read() ? PayloadFields.Read(ref answer).ToAnswer() : default);
                }

                break;
        }
    }

    private void Event(ReadOnlySpan<byte> body)
    {
        var arrived = BenchClock.NowMicros;
        // An event the server wants acknowledged carries an id first; ours never do, but skip it.
        var start = body.IndexOf((byte)'[');
        if (start < 0)
        {
            return;
        }

        var reader = new Utf8JsonReader(body[start..]);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !reader.Read() || !reader.ValueTextEquals("MessageCreated"u8) || !reader.Read())
        {
            return;
        }

        var message = PayloadFields.Read(ref reader);
        OnDelivered(ReceiverOf(message.ChannelId), message.Seq, message.IntendedMicros, arrived);
    }
}
