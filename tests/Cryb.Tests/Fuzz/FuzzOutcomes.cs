using System.Text.RegularExpressions;
using Cryb.Errors;

namespace Cryb.Tests.Fuzz;

/// <summary>
/// What the gateway did with a frame, as one word for the counts. Every error text a client can be
/// given is one of a few fixed shapes; any other text, or a code that means a bug or an outage, is
/// <see cref="Unstable"/> and fails the run.
/// </summary>
public static partial class FuzzOutcomes
{
    /// <summary>A completion with a result: the call was carried out.</summary>
    public const string Result = "result";

    /// <summary>SignalR refused to bind the call (unknown method, wrong argument count or types) before any hub code ran.</summary>
    public const string Binding = "refused:binding";

    /// <summary>SignalR refused a stream invocation of a method that does not stream, or stream ids for a method that takes none.</summary>
    public const string Streaming = "refused:streaming";

    /// <summary>No answer, where the protocol gives none: a call sent without an invocation id, a ping, a cancel or a completion nobody waits for.</summary>
    public const string NoReply = "no_reply";

    /// <summary>The gateway closed the connection (a close message with an error, a WebSocket close, a reset).</summary>
    public const string Closed = "closed";

    /// <summary>An error the client cannot branch on, or the code of a bug (<c>internal_error</c>) or an outage.</summary>
    public const string Unstable = "unstable";

    /// <summary>The hub refused the call with a stable code: <c>refused:invalid_argument</c>.</summary>
    public static string Refused(string code) => $"refused:{code}";

    /// <summary>The outcome word for a completion's error text.</summary>
    public static string OfError(string error)
    {
        if (BindingFailure().IsMatch(error))
        {
            return Binding;
        }

        if (StreamingMismatch().IsMatch(error))
        {
            return Streaming;
        }

        if (HubRefusal().Match(error) is { Success: true } refusal
            && refusal.Groups[1].Value is not (ErrorCodes.Internal or ErrorCodes.Unavailable or ErrorCodes.StorageUnavailable))
        {
            return Refused(refusal.Groups[1].Value);
        }

        return Unstable;
    }

    // With EnableDetailedErrors off, SignalR's own refusals carry no exception text but their own: these are all of them.
    [GeneratedRegex(@"^Failed to invoke '.*' due to an error on the server\.( HubException: Method does not exist\.)?$", RegexOptions.Singleline)]
    private static partial Regex BindingFailure();

    [GeneratedRegex(@"^(The client attempted to invoke the non-streaming '.*' method with a streaming invocation\.|An unexpected error occurred invoking '.*' on the server\. HubException: Client sent \d+ stream\(s\), Hub method expects \d+\.)$", RegexOptions.Singleline)]
    private static partial Regex StreamingMismatch();

    [GeneratedRegex(@"^An unexpected error occurred invoking '.*' on the server\. HubException: ([a-z_]+): ", RegexOptions.Singleline)]
    private static partial Regex HubRefusal();
}
