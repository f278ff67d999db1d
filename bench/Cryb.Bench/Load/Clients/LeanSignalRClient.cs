using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Cryb.Bench.Load.Notifications;
using Cryb.Bench.Measurement;

namespace Cryb.Bench.Load.Clients;

/// <summary>
/// The SignalR JSON hub protocol over a bare WebSocket (<c>--client lean</c>, the default): no
/// negotiate request, the handshake, invocations with ids, completions, pings; records end with
/// 0x1E. It reads each record with a <see cref="Utf8JsonReader"/> over the receive buffer and
/// looks only at what the checker needs, so a delivery costs no allocation.
/// </summary>
public sealed class LeanSignalRClient : WebSocketClient
{
    private const byte RecordSeparator = 0x1E;
    private const int InvocationType = 1;
    private const int CompletionType = 3;
    private const int CloseType = 7;

    /// <summary>The official clients' keep-alive: the hub closes a connection it has heard nothing from for 30 s.</summary>
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);

    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");

    private Timer? _pings;
    private bool _handshakeDone;

    public LeanSignalRClient(string gatewayUrl, string userId, string token)
        : base(userId, gatewayUrl, WebSocketAddress(gatewayUrl, "/hubs/chat", "access_token=" + Uri.EscapeDataString(token)), Handshake)
    {
    }

    /// <summary>
    /// Hears every <c>NotificationCreated</c>, with its arrival time on <see cref="BenchClock"/>, on
    /// the receive loop (one at a time, in the order sent); null skips them unread. Set before
    /// <see cref="ConnectAsync"/>.
    /// </summary>
    public Action<NotificationSeen, long>? OnNotification { get; set; }

    public override async Task ConnectAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        await base.ConnectAsync(timeout, cancellation);
        _pings = new Timer(_ => _ = SendQuietlyAsync(Ping), null, PingInterval, PingInterval);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_pings is not null)
        {
            await _pings.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    protected override void WriteCall(ArrayBufferWriter<byte> frame, Utf8JsonWriter json, int id, string method, ReadOnlySpan<CallArgument> arguments)
    {
        json.WriteStartObject();
        json.WriteNumber("type"u8, InvocationType);
        Span<byte> digits = stackalloc byte[11];
        Utf8Formatter.TryFormat(id, digits, out var length);
        json.WriteString("invocationId"u8, digits[..length]);
        json.WriteString("target"u8, method);
        json.WriteStartArray("arguments"u8);
        CallArgument.WriteAll(json, arguments);
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        frame.Write([RecordSeparator]);
    }

    /// <summary>Every complete record in <paramref name="data"/>; a record cut at the end waits for the rest.</summary>
    protected override int Consume(ReadOnlySpan<byte> data, bool endOfMessage)
    {
        var consumed = 0;
        while (data[consumed..].IndexOf(RecordSeparator) is var end and >= 0)
        {
            Record(data.Slice(consumed, end));
            consumed += end + 1;
        }

        return consumed;
    }

    private void Record(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        if (!_handshakeDone)
        {
            // The handshake answer: {} or {"error": "..."}.
            _handshakeDone = true;
            var answer = PayloadFields.Read(ref reader);
            if (answer.HasError)
            {
                CloseReason = Encoding.UTF8.GetString(answer.Error);
            }

            return;
        }

        int type = 0, invocationId = -1;
        ReadOnlySpan<byte> target = default, error = default;
        // Where the arguments or result start, read once the type and target are known: the
        // protocol does not fix the order of properties.
        var payload = default(Utf8JsonReader);
        var hasPayload = false;
        var hasError = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("invocationId"u8))
            {
                reader.Read();
                Utf8Parser.TryParse(PayloadFields.Text(ref reader), out invocationId, out _);
            }
            else if (reader.ValueTextEquals("target"u8))
            {
                reader.Read();
                target = PayloadFields.Text(ref reader);
                if (type == InvocationType && !IsHeard(target))
                {
                    // The hub writes the target before the arguments: an event nobody here reads
                    // (presence, typing, servers' events) ends here, its arguments unread. Walking
                    // them token by token would be a client's work on its own device, done by the
                    // generator on the cluster's cores.
                    return;
                }

                if (type == InvocationType && target.SequenceEqual("Ready"u8))
                {
                    // Only its arrival and size are measured: its payload (about 1.3 KB a server) goes unread, as above.
                    MarkReady(record.Length);
                    return;
                }
            }
            else if (reader.ValueTextEquals("arguments"u8) || reader.ValueTextEquals("result"u8))
            {
                reader.Read();
                payload = reader;
                hasPayload = true;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                hasError = true;
                error = PayloadFields.Text(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        switch (type)
        {
            case InvocationType when target.SequenceEqual("MessageCreated"u8) && hasPayload:
                var arrived = BenchClock.NowMicros;
                if (payload.TokenType == JsonTokenType.StartArray && payload.Read())
                {
                    var message = PayloadFields.Read(ref payload);
                    OnDelivered(ReceiverOf(message.ChannelId), message.Seq, message.IntendedMicros, arrived);
                }

                break;
            case InvocationType when target.SequenceEqual("NotificationCreated"u8) && hasPayload && OnNotification is { } heard:
                var heardAt = BenchClock.NowMicros;
                if (payload.TokenType == JsonTokenType.StartArray && payload.Read())
                {
                    heard(NotificationSeen.Read(ref payload), heardAt);
                }

                break;
            case InvocationType when target.SequenceEqual("Ready"u8):
                // Only when the type came after the target, which the hub does not do.
                MarkReady(record.Length);
                break;
            case CompletionType:
                Complete(invocationId, Answer(hasError, error, hasPayload, ref payload));
                break;
            case CloseType:
                CloseReason = hasError ? Encoding.UTF8.GetString(error) : null;
                break;
        }
    }

    private void MarkReady(int frameBytes)
    {
        ReadyBytes = frameBytes;
        MarkReady();
    }

    /// <summary>The events this client reads: everything else is dropped at its target.</summary>
    private bool IsHeard(ReadOnlySpan<byte> target) =>
        target.SequenceEqual("MessageCreated"u8) || target.SequenceEqual("Ready"u8)
        || (OnNotification is not null && target.SequenceEqual("NotificationCreated"u8));

    private static CallAnswer Answer(bool hasError, ReadOnlySpan<byte> error, bool hasResult, scoped ref Utf8JsonReader result)
    {
        if (hasError)
        {
            return new CallAnswer(0, null, Encoding.UTF8.GetString(error));
        }

        if (!hasResult)
        {
            return default;
        }

        return PayloadFields.Read(ref result).ToAnswer();
    }
}
