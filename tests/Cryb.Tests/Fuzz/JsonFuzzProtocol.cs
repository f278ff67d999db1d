using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Cryb.Tests.Fuzz;

/// <summary>SignalR's JSON protocol: one JSON object per frame, each ended by the record separator 0x1e.</summary>
public sealed class JsonFuzzProtocol : IFuzzProtocol
{
    public const byte RecordSeparator = 0x1e;

    public string Name => "json";

    public WebSocketMessageType MessageType => WebSocketMessageType.Text;

    public IHubProtocol Reader { get; } = new JsonHubProtocol();

    public byte[] Invocation(string? invocationId, object? target, object?[] arguments, string[]? streamIds = null)
    {
        var fields = new List<(string, object?)> { ("type", 1L) };
        if (invocationId is not null)
        {
            fields.Add(("invocationId", invocationId));
        }

        fields.Add(("target", target));
        fields.Add(("arguments", arguments));
        if (streamIds is not null)
        {
            fields.Add(("streamIds", streamIds.Cast<object?>().ToArray()));
        }

        return Message(fields);
    }

    public byte[] StreamInvocation(string invocationId, object? target, object?[] arguments) =>
        Message([("type", 4L), ("invocationId", invocationId), ("target", target), ("arguments", arguments)]);

    public byte[] StreamItem(string invocationId, object? item) => Message([("type", 2L), ("invocationId", invocationId), ("item", item)]);

    public byte[] Completion(string invocationId, object? result) => Message([("type", 3L), ("invocationId", invocationId), ("result", result)]);

    public byte[] CancelInvocation(string invocationId) => Message([("type", 5L), ("invocationId", invocationId)]);

    public byte[] Ping() => Message([("type", 6L)]);

    public byte[] Close() => Message([("type", 7L)]);

    public byte[] OtherType(int type, string invocationId) =>
        Message([("type", (long)type), ("invocationId", invocationId), ("sequenceId", 1L)]);

    public byte[] TruncatedInvocation(string invocationId, string target, object?[] arguments, Random random)
    {
        var body = Invocation(invocationId, target, arguments).AsSpan(..^1);
        // Anywhere before the closing brace: what is left is never a whole JSON object.
        return Frame(body[..random.Next(1, body.Length - 1)]);
    }

    public byte[] Frame(ReadOnlySpan<byte> body) => [.. body, RecordSeparator];

    private static byte[] Message(IReadOnlyList<(string Name, object? Value)> fields)
    {
        var output = new MemoryStream();
        Write(output, fields.ToDictionary(field => field.Name, field => field.Value));
        output.WriteByte(RecordSeparator);
        return output.ToArray();
    }

    private static void Write(MemoryStream output, object? value)
    {
        switch (value)
        {
            case null:
                Ascii(output, "null");
                break;
            case bool flag:
                Ascii(output, flag ? "true" : "false");
                break;
            case long or ulong or int:
                Ascii(output, Convert.ToString(value, CultureInfo.InvariantCulture)!);
                break;
            case double number:
                Ascii(output, number.ToString("R", CultureInfo.InvariantCulture));
                break;
            case string text:
                output.Write(JsonSerializer.SerializeToUtf8Bytes(text));
                break;
            case HugeNumber huge:
                Ascii(output, huge.JsonText);
                break;
            case InvalidUtf8 bad:
                output.WriteByte((byte)'"');
                output.Write(bad.Bytes);
                output.WriteByte((byte)'"');
                break;
            case Nested nested:
                output.Write(Enumerable.Repeat((byte)'[', nested.Depth).ToArray());
                Write(output, nested.Inner);
                output.Write(Enumerable.Repeat((byte)']', nested.Depth).ToArray());
                break;
            case object?[] items:
                output.WriteByte((byte)'[');
                for (var i = 0; i < items.Length; i++)
                {
                    if (i > 0)
                    {
                        output.WriteByte((byte)',');
                    }

                    Write(output, items[i]);
                }

                output.WriteByte((byte)']');
                break;
            case IReadOnlyDictionary<string, object?> map:
                output.WriteByte((byte)'{');
                var first = true;
                foreach (var (key, item) in map)
                {
                    if (!first)
                    {
                        output.WriteByte((byte)',');
                    }

                    first = false;
                    Write(output, key);
                    output.WriteByte((byte)':');
                    Write(output, item);
                }

                output.WriteByte((byte)'}');
                break;
            default:
                throw new ArgumentException($"No JSON for a {value.GetType().Name}.", nameof(value));
        }
    }

    private static void Ascii(MemoryStream output, string text) => output.Write(Encoding.ASCII.GetBytes(text));
}
