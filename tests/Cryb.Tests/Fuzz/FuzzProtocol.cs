using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Cryb.Tests.Fuzz;

/// <summary>
/// One SignalR protocol as the fuzzer writes it: every message type by hand, so a frame can carry
/// whatever value anywhere, and the protocol's own reader for what the server answers.
/// </summary>
public interface IFuzzProtocol
{
    /// <summary><c>json</c> or <c>messagepack</c>, as named in the handshake and in the counts.</summary>
    string Name { get; }

    /// <summary>How the official clients send frames of this protocol over WebSockets.</summary>
    WebSocketMessageType MessageType { get; }

    /// <summary>Reads the server's frames after the handshake.</summary>
    IHubProtocol Reader { get; }

    /// <summary>An invocation (type 1); without <paramref name="invocationId"/> the client asks for no answer.</summary>
    byte[] Invocation(string? invocationId, object? target, object?[] arguments, string[]? streamIds = null);

    /// <summary>A stream invocation (type 4).</summary>
    byte[] StreamInvocation(string invocationId, object? target, object?[] arguments);

    /// <summary>A stream item (type 2) for a stream the server never opened.</summary>
    byte[] StreamItem(string invocationId, object? item);

    /// <summary>A completion (type 3), as a client answers a server's call; here for a call never made.</summary>
    byte[] Completion(string invocationId, object? result);

    /// <summary>A cancel invocation (type 5).</summary>
    byte[] CancelInvocation(string invocationId);

    byte[] Ping();

    /// <summary>A close message (type 7): the client says it is going away.</summary>
    byte[] Close();

    /// <summary>A message of a type the protocol does not define, or stateful reconnect's ack and sequence (8, 9) which this gateway turns off.</summary>
    byte[] OtherType(int type, string invocationId);

    /// <summary>
    /// An invocation cut short before its end and framed again, so the server reads exactly the cut
    /// body: a frame that is not a message. The cut falls before the arguments where the protocol
    /// would otherwise read a cut argument list as a binding failure (MessagePack), anywhere else.
    /// </summary>
    byte[] TruncatedInvocation(string invocationId, string target, object?[] arguments, Random random);

    /// <summary>A frame of this protocol around arbitrary body bytes.</summary>
    byte[] Frame(ReadOnlySpan<byte> body);
}
