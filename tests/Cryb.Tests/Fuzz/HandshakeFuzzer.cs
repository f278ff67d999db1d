using System.Net.WebSockets;
using System.Text;

namespace Cryb.Tests.Fuzz;

/// <summary>
/// Connections whose handshake itself is garbage. SignalR answers a handshake it cannot accept with
/// an error and closes; the WebSocket closes on text that is not UTF-8. Either way the outcome is
/// <see cref="FuzzOutcomes.Closed"/>, and no hub code runs, so nothing is counted as a protocol error.
/// </summary>
public sealed class HandshakeFuzzer(string gatewayUrl, string token, Random random, FuzzTally tally)
{
    public const string Protocol = "handshake";

    private static readonly IReadOnlySet<string> Refused = new HashSet<string> { FuzzOutcomes.Closed };

    public async Task RunAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var (variant, bytes, type) = Next();
            await using var connection = await FuzzConnection.OpenAsync(gatewayUrl, token, new JsonFuzzProtocol().Reader);
            var accepted = await connection.HandshakeAsync(bytes, type, TimeSpan.FromSeconds(30));
            var frame = new FuzzFrame("garbage_handshake", variant, bytes, type, null, Refused, null, MayClose: true);
            tally.Record(Protocol, frame, accepted ? FuzzOutcomes.Result : FuzzOutcomes.Closed);
        }
    }

    private (string Variant, byte[] Bytes, WebSocketMessageType Type) Next()
    {
        switch (random.Next(6))
        {
            case 0:
                var noise = new byte[random.Next(1, 200)];
                random.NextBytes(noise);
                for (var i = 0; i < noise.Length; i++)
                {
                    noise[i] = noise[i] == JsonFuzzProtocol.RecordSeparator ? (byte)'x' : noise[i];
                }

                noise[0] = (byte)'@'; // never a JSON object
                return ("random_bytes", [.. noise, JsonFuzzProtocol.RecordSeparator], WebSocketMessageType.Binary);
            case 1:
                return ("unknown_protocol", Ascii($"{{\"protocol\":\"no-{random.Next()}\",\"version\":1}}\u001e"), WebSocketMessageType.Text);
            case 2:
                string[] versions = ["99", "1e400", "\"1\"", "null", "[1]", "2147483648"];
                return ("bad_version", Ascii($"{{\"protocol\":\"json\",\"version\":{versions[random.Next(versions.Length)]}}}\u001e"), WebSocketMessageType.Text);
            case 3:
                var depth = random.Next(65, 5000);
                return ("deep_nesting", Ascii($"{{\"protocol\":\"json\",\"version\":1,\"x\":{new string('[', depth)}{new string(']', depth)}}}\u001e"), WebSocketMessageType.Text);
            case 4:
                return ("invalid_utf8_text", [.. "{\"protocol\":\"js"u8, 0xc3, 0x28, .. "on\",\"version\":1}\u001e"u8], WebSocketMessageType.Text);
            default:
                var whole = Ascii("{\"protocol\":\"messagepack\",\"version\":1}");
                return ("truncated", [.. whole.AsSpan(0, random.Next(1, whole.Length - 1)), JsonFuzzProtocol.RecordSeparator], WebSocketMessageType.Text);
        }
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
