using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Cryb.Gateway.Hosting;

/// <summary>The <c>kind</c> tag of <c>cryb.gateway.protocol_errors</c>.</summary>
public static class ProtocolErrorKinds
{
    /// <summary>An invocation of a method the hub does not have; that call fails.</summary>
    public const string UnknownMethod = "unknown_method";

    /// <summary>A known method with the wrong number or types of arguments; that call fails.</summary>
    public const string BadArguments = "bad_arguments";

    /// <summary>A frame that is not a SignalR message (bad JSON, a missing field); SignalR closes that connection.</summary>
    public const string MalformedFrame = "malformed_frame";

    public static readonly IReadOnlyList<string> All = [UnknownMethod, BadArguments, MalformedFrame];
}

/// <summary>
/// One of SignalR's protocols (JSON, MessagePack), counting the frames it cannot turn into a call. This is where SignalR
/// itself finds these errors: parsing binds the target and arguments through the hub's
/// <see cref="IInvocationBinder"/>, and an unknown method or unbindable argument becomes an
/// <see cref="InvocationBindingFailureMessage"/> (the dispatcher answers that call with an error and
/// never runs hub filters), while an unparsable frame throws (the connection handler closes that
/// connection).
/// </summary>
/// <remarks>
/// The alternative, a logger provider watching <c>DefaultHubDispatcher</c>'s and
/// <c>HubConnectionHandler</c>'s event ids, depends on internal log events and on filter rules we
/// would have to override (appsettings silences <c>DefaultHubDispatcher</c>); the protocol is a
/// public extension point that sees every frame whatever the log configuration.
/// </remarks>
public sealed class ProtocolErrorCountingHubProtocol(IHubProtocol inner, GatewayMetrics metrics) : IHubProtocol
{
    private readonly IHubProtocol _inner = inner;

    public string Name => _inner.Name;

    public int Version => _inner.Version;

    public TransferFormat TransferFormat => _inner.TransferFormat;

    public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        bool parsed;
        try
        {
            // SignalR's protocols skip a message of a type they do not know (left for newer peers)
            // by consuming it and returning false, which the connection handler takes for "wait for
            // more bytes": the frames behind it then waited for the client's next send, up to its
            // 15 s ping. Parse on past every skipped message instead.
            long before;
            do
            {
                before = input.Length;
                parsed = _inner.TryParseMessage(ref input, binder, out message);
            }
            while (!parsed && input.Length < before && input.Length > 0);
        }
        catch
        {
            metrics.ProtocolError(ProtocolErrorKinds.MalformedFrame);
            throw;
        }

        switch (message)
        {
            case InvocationBindingFailureMessage failure:
                metrics.ProtocolError(IsKnown(binder, failure.Target) ? ProtocolErrorKinds.BadArguments : ProtocolErrorKinds.UnknownMethod);
                break;
            case StreamBindingFailureMessage:
                metrics.ProtocolError(ProtocolErrorKinds.BadArguments);
                break;
        }

        return parsed;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(message);

    /// <summary>The binder is the hub's method table: it throws for a name the hub does not have.</summary>
    private static bool IsKnown(IInvocationBinder binder, string target)
    {
        try
        {
            binder.GetParameterTypes(target);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
