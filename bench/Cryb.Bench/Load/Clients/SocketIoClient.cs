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

    // The namespace connect with the token as auth; the server's open packet may come first or not.
    public SocketIoClient(string serverUrl, string userId, string token)
        : base(userId, serverUrl, WebSocketAddress(serverUrl, "/socket.io/", "EIO=4&transport=websocket"), Encoding.UTF8.GetBytes("40" + JsonSerializer.Serialize(new { token })))
    {
    }

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
                MarkReady();
                break;
            case (byte)'4':
                CloseReason = Encoding.UTF8.GetString(body);
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
