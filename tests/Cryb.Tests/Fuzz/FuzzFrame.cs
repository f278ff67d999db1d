using System.Net.WebSockets;

namespace Cryb.Tests.Fuzz;

/// <summary>
/// One frame the fuzzer sends, with what the gateway may do about it.
/// </summary>
/// <param name="Class">The mutation class it belongs to (unknown_method, deep_nesting, ...), for the counts.</param>
/// <param name="Variant">Which mutation of its class, for a failure's message.</param>
/// <param name="InvocationId">The id an answer would carry; null when the frame has none.</param>
/// <param name="Expected">The outcomes that pass (<see cref="FuzzOutcomes"/>); anything else fails the run.</param>
/// <param name="ProtocolErrorKind">The <c>cryb.gateway.protocol_errors</c> kind the gateway counts it as, if any.</param>
/// <param name="MayClose">Sent alone, right after the previous frames were answered: a frame that closes the connection would cut their answers off.</param>
public sealed record FuzzFrame(
    string Class,
    string Variant,
    byte[] Bytes,
    WebSocketMessageType MessageType,
    string? InvocationId,
    IReadOnlySet<string> Expected,
    string? ProtocolErrorKind,
    bool MayClose);
