using System.Buffers;
using System.Net.WebSockets;
using MessagePack;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Cryb.Tests.Fuzz;

/// <summary>
/// SignalR's MessagePack protocol: each message a MessagePack array, framed by its length as a
/// VarInt (7 bits a byte, low bits first, the high bit set on every byte but the last).
/// </summary>
public sealed class MessagePackFuzzProtocol : IFuzzProtocol
{
    public string Name => "messagepack";

    public WebSocketMessageType MessageType => WebSocketMessageType.Binary;

    public IHubProtocol Reader { get; } = new MessagePackHubProtocol();

    public byte[] Invocation(string? invocationId, object? target, object?[] arguments, string[]? streamIds = null) =>
        Message(streamIds is null
            ? [1L, Headers, invocationId, target, arguments]
            : [1L, Headers, invocationId, target, arguments, streamIds.Cast<object?>().ToArray()]);

    public byte[] StreamInvocation(string invocationId, object? target, object?[] arguments) =>
        Message([4L, Headers, invocationId, target, arguments]);

    public byte[] StreamItem(string invocationId, object? item) => Message([2L, Headers, invocationId, item]);

    /// <summary>Result kind 3: a completion with a result.</summary>
    public byte[] Completion(string invocationId, object? result) => Message([3L, Headers, invocationId, 3L, result]);

    public byte[] CancelInvocation(string invocationId) => Message([5L, Headers, invocationId]);

    public byte[] Ping() => Message([6L]);

    /// <summary>No error, no reconnect asked for.</summary>
    public byte[] Close() => Message([7L, null, false]);

    /// <summary>Ack and sequence are <c>[type, sequenceId]</c>; an unknown type gets the shape of an invocation's head.</summary>
    public byte[] OtherType(int type, string invocationId) =>
        Message(type is 8 or 9 ? [(long)type, 1L] : [(long)type, Headers, invocationId, 1L]);

    public byte[] TruncatedInvocation(string invocationId, string target, object?[] arguments, Random random)
    {
        // The protocol reads a cut argument list as a binding failure and answers the call: a cut
        // that leaves the type, headers, id and target incomplete is a frame that is not a message.
        var head = Body([1L, Headers, invocationId, target]);
        var body = Body([1L, Headers, invocationId, target, arguments]);
        return Frame(body.AsSpan(0, random.Next(1, head.Length)));
    }

    public byte[] Frame(ReadOnlySpan<byte> body)
    {
        var frame = new List<byte>(body.Length + 5);
        for (var length = (uint)body.Length; ; length >>= 7)
        {
            var low = (byte)(length & 0x7f);
            if (length < 0x80)
            {
                frame.Add(low);
                break;
            }

            frame.Add((byte)(low | 0x80));
        }

        frame.AddRange(body);
        return [.. frame];
    }

    private static readonly IReadOnlyDictionary<string, object?> Headers = new Dictionary<string, object?>();

    private byte[] Message(object?[] items) => Frame(Body(items));

    private static byte[] Body(object?[] items)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        Write(ref writer, items);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNil();
                break;
            case bool flag:
                writer.Write(flag);
                break;
            case long number:
                writer.Write(number);
                break;
            case int number:
                writer.Write(number);
                break;
            case ulong number:
                writer.Write(number);
                break;
            case double number:
                writer.Write(number);
                break;
            case string text:
                writer.Write(text);
                break;
            case HugeNumber huge:
                writer.Write(huge.Nearest);
                break;
            case InvalidUtf8 bad:
                writer.WriteStringHeader(bad.Bytes.Length);
                writer.WriteRaw(bad.Bytes);
                break;
            case Nested nested:
                for (var i = 0; i < nested.Depth; i++)
                {
                    writer.WriteArrayHeader(1);
                }

                Write(ref writer, nested.Inner);
                break;
            case object?[] items:
                writer.WriteArrayHeader(items.Length);
                foreach (var item in items)
                {
                    Write(ref writer, item);
                }

                break;
            case IReadOnlyDictionary<string, object?> map:
                writer.WriteMapHeader(map.Count);
                foreach (var (key, item) in map)
                {
                    writer.Write(key);
                    Write(ref writer, item);
                }

                break;
            default:
                throw new ArgumentException($"No MessagePack for a {value.GetType().Name}.", nameof(value));
        }
    }
}
