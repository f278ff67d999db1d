using System.Net.WebSockets;
using System.Text;
using Cryb.Channels;
using Cryb.Errors;
using Cryb.Gateway.Hosting;
using Cryb.Messages;
using Cryb.Presence;

namespace Cryb.Tests.Fuzz;

/// <summary>
/// Makes the fuzzer's frames for one connection from a seeded <see cref="Random"/>: the same seed
/// gives the same frames. Each frame says which outcomes pass, from what the SignalR protocol and
/// the promise docs/protocol.md makes for it; the reasons are beside each class.
/// </summary>
public sealed class FrameFactory(IFuzzProtocol protocol, Random random, string ownChannel, string nowhereChannel)
{
    /// <summary>The mutation classes, each with its share of the frames.</summary>
    public static readonly IReadOnlyList<(string Name, int Weight)> Classes =
    [
        ("unknown_method", 14),
        ("wrong_types", 16),
        ("wrong_arity", 10),
        ("huge_numbers", 12),
        ("deep_nesting", 4),
        ("invalid_utf8", 4),
        ("message_types", 12),
        ("truncated", 3),
        ("oversized", 8),
        ("random_bytes", 2),
    ];

    private static readonly int TotalWeight = Classes.Sum(c => c.Weight);

    private static readonly byte[][] BadUtf8 =
    [
        [0xff],
        [0xc3, 0x28], // a lead byte without its continuation
        [0xc0, 0xaf], // an overlong '/'
        [0xed, 0xa0, 0x80], // a UTF-16 surrogate
        [0xf8, 0x88, 0x80, 0x80, 0x80], // a five-byte sequence
        [0x80, 0x80],
    ];

    private int _nextId;

    public FuzzFrame Next()
    {
        var pick = random.Next(TotalWeight);
        foreach (var (name, weight) in Classes)
        {
            if (pick < weight)
            {
                return Make(name);
            }

            pick -= weight;
        }

        throw new InvalidOperationException("The weights do not add up.");
    }

    /// <summary>A call that must succeed, sent after a batch: its answer proves every frame before it was read.</summary>
    public (byte[] Bytes, string InvocationId) Barrier()
    {
        var id = NewId();
        return (protocol.Invocation(id, "GetPresence", [Array.Empty<object?>()]), id);
    }

    private FuzzFrame Make(string name) => name switch
    {
        "unknown_method" => UnknownMethod(),
        "wrong_types" => WrongTypes(),
        "wrong_arity" => WrongArity(),
        "huge_numbers" => HugeNumbers(),
        "deep_nesting" => DeepNesting(),
        "invalid_utf8" => InvalidUtf8Frame(),
        "message_types" => MessageTypes(),
        "truncated" => Truncated(),
        "oversized" => Oversized(),
        "random_bytes" => RandomBytes(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such class."),
    };

    // SignalR answers a call it cannot bind with a completion carrying a fixed error, before any
    // hub code runs; a call sent without an invocation id asked for no answer and gets none.
    private FuzzFrame Unbindable(string @class, string variant, object? target, object?[] arguments, string kind)
    {
        var id = random.Next(8) == 0 ? null : NewId();
        return Frame(@class, variant, protocol.Invocation(id, target, arguments), id,
            id is null ? FuzzOutcomes.NoReply : FuzzOutcomes.Binding, kind);
    }

    private FuzzFrame UnknownMethod()
    {
        // "No" first: never one of the hub's names, which SignalR matches ignoring case.
        var target = "No" + RandomText(random.Next(1, 40));
        return Unbindable("unknown_method", "random_name", target, RandomArguments(), ProtocolErrorKinds.UnknownMethod);
    }

    private FuzzFrame WrongTypes()
    {
        var (name, parameters) = HubSignatures.Typed[random.Next(HubSignatures.Typed.Count)];
        var arguments = parameters.Select(Fitting).ToArray();
        var wrong = random.Next(parameters.Length);
        arguments[wrong] = Misfit(parameters[wrong]);
        return Unbindable("wrong_types", parameters[wrong].ToString(), name, arguments, ProtocolErrorKinds.BadArguments);
    }

    private FuzzFrame WrongArity()
    {
        var (name, parameters) = HubSignatures.All[random.Next(HubSignatures.All.Count)];
        var count = random.Next(4) == 0 ? random.Next(20, 200) : parameters.Length + (random.Next(2) == 0 ? 1 : -1) * random.Next(1, 3);
        if (count < 0 || count == parameters.Length)
        {
            count = parameters.Length + 1;
        }

        var arguments = Enumerable.Range(0, count).Select(i => i < parameters.Length ? Fitting(parameters[i]) : RandomValue()).ToArray();
        return Unbindable("wrong_arity", count > parameters.Length ? "too_many" : "too_few", name, arguments, ProtocolErrorKinds.BadArguments);
    }

    private FuzzFrame HugeNumbers()
    {
        if (random.Next(2) == 0)
        {
            // Beyond the parameter's type: no binding.
            object?[] tooBig =
            [
                new HugeNumber("1e400", double.MaxValue),
                new HugeNumber("-123456789012345678901234567890", -1.2345678901234568e29),
                ulong.MaxValue,
            ];
            var (name, arguments) = random.Next(3) switch
            {
                0 => ("GetHistory", new object?[] { nowhereChannel, tooBig[random.Next(tooBig.Length)], 10L }),
                1 => ("GetHistory", new object?[] { nowhereChannel, null, random.Next(2) == 0 ? long.MaxValue : tooBig[random.Next(tooBig.Length)] }),
                _ => ("MarkRead", new object?[] { nowhereChannel, tooBig[random.Next(tooBig.Length)] }),
            };
            return Unbindable("huge_numbers", "out_of_range", name, arguments, ProtocolErrorKinds.BadArguments);
        }

        // Within the type, at its ends: the call reaches the hub, and a channel that does not exist is refused.
        long[] extremes = [long.MinValue, long.MaxValue, 0, -1];
        var extreme = extremes[random.Next(extremes.Length)];
        var (method, values) = random.Next(3) switch
        {
            0 => ("GetHistory", new object?[] { nowhereChannel, extreme, (long)(random.Next(2) == 0 ? int.MinValue : int.MaxValue) }),
            1 => ("MarkRead", new object?[] { nowhereChannel, extreme }),
            _ => ("JoinChannel", new object?[] { nowhereChannel, extreme }),
        };
        var id = NewId();
        return Frame("huge_numbers", "extreme", protocol.Invocation(id, method, values), id, FuzzOutcomes.Refused(ErrorCodes.ChannelNotFound), null);
    }

    private FuzzFrame DeepNesting()
    {
        var value = new Nested(random.Next(65, 5000), random.Next(2) == 0 ? "x" : 1L);
        var arguments = new object?[] { nowhereChannel, value, null, null };
        if (protocol is JsonFuzzProtocol)
        {
            // JSON: past the reader's 64 levels the frame cannot even be skipped: not a message.
            var id = NewId();
            return Frame("deep_nesting", "argument", protocol.Invocation(id, "SendMessage", arguments), id, FuzzOutcomes.Closed, ProtocolErrorKinds.MalformedFrame, mayClose: true);
        }

        // MessagePack: the frame's length is known, so the argument fails to bind and the rest is dropped.
        return Unbindable("deep_nesting", "argument", "SendMessage", arguments, ProtocolErrorKinds.BadArguments);
    }

    private FuzzFrame InvalidUtf8Frame()
    {
        var bad = new InvalidUtf8([.. Encoding.ASCII.GetBytes("ch"), .. BadUtf8[random.Next(BadUtf8.Length)], .. "an"u8]);
        var id = NewId();
        var inTarget = random.Next(2) == 0;
        var frame = inTarget
            ? protocol.Invocation(id, bad, [nowhereChannel])
            : protocol.Invocation(id, "SendMessage", [bad, "hello", null, null]);
        var variant = inTarget ? "target" : "argument";
        if (protocol is MessagePackFuzzProtocol)
        {
            // MessagePack decodes strings leniently (U+FFFD for each bad byte): an unknown method, or an id the hub refuses.
            return inTarget
                ? Frame("invalid_utf8", variant, frame, id, FuzzOutcomes.Binding, ProtocolErrorKinds.UnknownMethod)
                : Frame("invalid_utf8", variant, frame, id, FuzzOutcomes.Refused(ErrorCodes.InvalidArgument), null);
        }

        if (random.Next(2) == 0)
        {
            // As a text message, as JSON clients send: the WebSocket itself refuses text that is not UTF-8 and closes.
            return new FuzzFrame("invalid_utf8", variant + "_text_message", frame, WebSocketMessageType.Text, id,
                Set(FuzzOutcomes.Closed), null, MayClose: true);
        }

        // As a binary message the JSON reader sees the bytes: a target it cannot read is not a message;
        // an argument it cannot read fails to bind.
        return inTarget
            ? new FuzzFrame("invalid_utf8", variant, frame, WebSocketMessageType.Binary, id, Set(FuzzOutcomes.Closed), ProtocolErrorKinds.MalformedFrame, MayClose: true)
            : new FuzzFrame("invalid_utf8", variant, frame, WebSocketMessageType.Binary, id, Set(FuzzOutcomes.Binding), ProtocolErrorKinds.BadArguments, MayClose: false);
    }

    private FuzzFrame MessageTypes()
    {
        var id = NewId();
        return random.Next(10) switch
        {
            // Messages a server never answers: a ping, cancelling or completing what it never started.
            0 => Frame("message_types", "ping", protocol.Ping(), null, FuzzOutcomes.NoReply, null),
            1 => Frame("message_types", "cancel_unknown", protocol.CancelInvocation(id), id, FuzzOutcomes.NoReply, null),
            2 => Frame("message_types", "completion_unknown", protocol.Completion(id, 1L), id, FuzzOutcomes.NoReply, null),
            // A stream item's value cannot be bound without its stream: counted as bad arguments, dropped.
            3 => Frame("message_types", "stream_item_unknown", protocol.StreamItem(id, "x"), id, FuzzOutcomes.NoReply, ProtocolErrorKinds.BadArguments),
            // A method that does not stream, called as a stream, or given streams: refused with a fixed error.
            4 => Frame("message_types", "stream_invocation", protocol.StreamInvocation(id, "GetMembers", [nowhereChannel]), id, FuzzOutcomes.Streaming, null),
            5 => Frame("message_types", "stream_ids", protocol.Invocation(id, "GetMembers", [nowhereChannel], ["s" + id]), id, FuzzOutcomes.Streaming, null),
            // A type this protocol version does not have, and stateful reconnect's, which this gateway turns off.
            6 => Frame("message_types", "type_99", protocol.OtherType(99, id), id, FuzzOutcomes.NoReply, null, mayClose: true),
            7 => Frame("message_types", "ack", protocol.OtherType(8, id), id, FuzzOutcomes.NoReply, null, mayClose: true),
            8 => Frame("message_types", "sequence", protocol.OtherType(9, id), id, FuzzOutcomes.NoReply, null, mayClose: true),
            // The client's own close message: the server closes.
            _ => Frame("message_types", "close", protocol.Close(), null, FuzzOutcomes.Closed, null, mayClose: true),
        };
    }

    private FuzzFrame Truncated()
    {
        var id = NewId();
        if (random.Next(5) == 0)
        {
            // JSON: an empty frame; MessagePack: a length prefix over 2 GB. Neither is a message.
            var bytes = protocol is JsonFuzzProtocol ? protocol.Frame([]) : [0xff, 0xff, 0xff, 0xff, 0x7f, 0x91, 0x06];
            return Frame("truncated", protocol is JsonFuzzProtocol ? "empty" : "length_over_2gb", bytes, null, FuzzOutcomes.Closed, ProtocolErrorKinds.MalformedFrame, mayClose: true);
        }

        var frame = protocol.TruncatedInvocation(id, "SendMessage", [nowhereChannel, RandomText(random.Next(1, 200)), null, null], random);
        return Frame("truncated", "invocation", frame, id, FuzzOutcomes.Closed, ProtocolErrorKinds.MalformedFrame, mayClose: true);
    }

    private FuzzFrame Oversized()
    {
        var id = NewId();
        return random.Next(20) switch
        {
            // Over SignalR's 64 KB limit for one frame: the connection closes (not a protocol error: the frame is never parsed).
            0 => Frame("oversized", "frame_over_64kb", protocol.Invocation(id, "SendMessage", [ownChannel, new string('x', random.Next(66_000, 90_000)), null, null]), id, FuzzOutcomes.Closed, null, mayClose: true),
            < 9 => Frame("oversized", "content", protocol.Invocation(id, "SendMessage", [ownChannel, new string('x', random.Next(MessageLimits.MaxContentLength + 1, 20_000)), null, null]), id, FuzzOutcomes.Refused(ErrorCodes.MessageTooLong), null),
            < 15 => Frame("oversized", "presence_ids", protocol.Invocation(id, "GetPresence", [Enumerable.Range(0, random.Next(PresenceLimits.MaxBulkUsers + 1, 3000)).Select(i => (object?)$"u{i}").ToArray()]), id, FuzzOutcomes.Refused(ErrorCodes.InvalidArgument), null),
            _ => Frame("oversized", "channel_name", protocol.Invocation(id, "UpdateChannel", [ownChannel, new string('n', random.Next(ChannelLimits.MaxNameLength + 1, 20_000)), null]), id, FuzzOutcomes.Refused(ErrorCodes.InvalidArgument), null),
        };
    }

    private FuzzFrame RandomBytes()
    {
        var body = new byte[random.Next(1, 300)];
        random.NextBytes(body);
        if (protocol is JsonFuzzProtocol)
        {
            // One frame (no separator inside), not starting an object: never a JSON message. Sent as
            // binary so the bytes reach the JSON reader rather than the WebSocket's UTF-8 check.
            for (var i = 0; i < body.Length; i++)
            {
                body[i] = body[i] == JsonFuzzProtocol.RecordSeparator ? (byte)'x' : body[i];
            }

            body[0] = (byte)'@';
            return new FuzzFrame("random_bytes", "bytes", protocol.Frame(body), WebSocketMessageType.Binary, null, Set(FuzzOutcomes.Closed), ProtocolErrorKinds.MalformedFrame, MayClose: true);
        }

        // Not starting with an array header (0x90-0x9f, 0xdc, 0xdd): never a MessagePack message.
        body[0] = (byte)random.Next(0x00, 0x80);
        return Frame("random_bytes", "bytes", protocol.Frame(body), null, FuzzOutcomes.Closed, ProtocolErrorKinds.MalformedFrame, mayClose: true);
    }

    /// <summary>A value the parameter takes: the rest of a frame whose one argument is wrong.</summary>
    private object? Fitting(ParameterShape shape) => shape switch
    {
        ParameterShape.Text => nowhereChannel,
        ParameterShape.OptionalText => null,
        ParameterShape.Flag => false,
        ParameterShape.OptionalNumber => null,
        ParameterShape.Number or ParameterShape.SmallNumber => 1L,
        ParameterShape.TextList => Array.Empty<object?>(),
        _ => null,
    };

    /// <summary>A value of another type than the parameter's, which neither protocol converts.</summary>
    private object? Misfit(ParameterShape shape)
    {
        object?[] choices = shape switch
        {
            ParameterShape.Text or ParameterShape.OptionalText => [(long)random.Next(), true, new object?[] { "x" }, Map(), 1.5],
            ParameterShape.Flag => ["true", 1L, null, Array.Empty<object?>(), Map()],
            ParameterShape.OptionalNumber => ["12", true, Array.Empty<object?>(), Map(), 1.5],
            ParameterShape.Number or ParameterShape.SmallNumber => ["12", true, null, Map(), 1.5],
            ParameterShape.TextList => ["x", 5L, new object?[] { 1L, 2L }, Map()],
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        };
        return choices[random.Next(choices.Length)];
    }

    private object?[] RandomArguments() => Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomValue()).ToArray();

    private object? RandomValue() => random.Next(7) switch
    {
        0 => null,
        1 => random.Next(2) == 0,
        2 => random.NextInt64(long.MinValue, long.MaxValue),
        3 => random.NextDouble() * 1e10,
        4 => RandomText(random.Next(0, 30)),
        5 => new object?[] { RandomText(3), 1L },
        _ => Map(),
    };

    private IReadOnlyDictionary<string, object?> Map() => new Dictionary<string, object?> { [RandomText(4)] = random.Next() };

    /// <summary>Letters, digits, punctuation, control characters and characters outside ASCII (two and four UTF-8 bytes).</summary>
    private string RandomText(int length)
    {
        const string Alphabet = "abcxyzABC019 _-.'\"\\/\t\n\u0001\u007fé中😀";
        var text = new StringBuilder(length);
        while (text.Length < length)
        {
            var at = random.Next(Alphabet.Length);
            text.Append(char.IsHighSurrogate(Alphabet[at]) ? Alphabet.AsSpan(at, 2) : char.IsLowSurrogate(Alphabet[at]) ? "z" : Alphabet.AsSpan(at, 1));
        }

        return text.ToString();
    }

    private string NewId() => $"f{_nextId++}";

    private FuzzFrame Frame(string @class, string variant, byte[] bytes, string? id, string expected, string? kind, bool mayClose = false) =>
        new(@class, variant, bytes, protocol.MessageType, id, Set(expected), kind, mayClose);

    private static IReadOnlySet<string> Set(string outcome) => new HashSet<string> { outcome };
}
