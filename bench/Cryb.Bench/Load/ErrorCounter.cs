using System.Collections.Concurrent;
using System.Net.Http;
using System.Net.WebSockets;
using Cryb.Bench.Load.Clients;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Bench.Load;

/// <summary>
/// Failures counted by their stable error code (<c>rate_limited</c>, <c>storage_unavailable</c>...)
/// or, for transport failures, a short kind, with the first few messages of each: a count says how
/// often, a message says what to look for in the logs.
/// </summary>
public sealed class ErrorCounter
{
    /// <summary>Messages kept per code: errors come in bursts of one cause, so a few say it.</summary>
    public const int ExamplesPerCode = 3;

    private const string HubExceptionMarker = "HubException: ";

    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<string>> _examples = new(StringComparer.Ordinal);

    public long Total => _counts.Values.Sum();

    public void Add(string code, string? message = null)
    {
        _counts.AddOrUpdate(code, 1, (_, count) => count + 1);
        if (message is null)
        {
            return;
        }

        var examples = _examples.GetOrAdd(code, _ => []);
        lock (examples)
        {
            if (examples.Count < ExamplesPerCode && !examples.Contains(message))
            {
                examples.Add(message);
            }
        }
    }

    public void Add(Exception exception) => Add(CodeOf(exception), exception.Message);

    /// <summary>The counts so far, sorted by code.</summary>
    public SortedDictionary<string, long> Snapshot() => new(_counts, StringComparer.Ordinal);

    /// <summary>The counts so far on one line, for a log or a setup failure: <c>code xN, ...</c>.</summary>
    public string Summary() => string.Join(", ", Snapshot().Select(pair => $"{pair.Key} x{pair.Value}"));

    /// <summary>The first distinct messages of each code that had any, sorted by code.</summary>
    public SortedDictionary<string, IReadOnlyList<string>> Examples()
    {
        var copy = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (code, examples) in _examples)
        {
            lock (examples)
            {
                copy[code] = [.. examples];
            }
        }

        return copy;
    }

    /// <summary>
    /// The code of a refusal, which reaches the SignalR clients as
    /// <c>"... HubException: code: reason"</c> (or <c>"code: reason"</c>); other failures are
    /// named by kind (<c>http_401</c>, <c>timeout</c>, <c>websocket</c>, <c>connection_closed</c>).
    /// </summary>
    public static string CodeOf(Exception exception) => exception switch
    {
        HubException hub => CodeOf(hub.Message) ?? "hub_error",
        CallRefusedException refused => CodeOf(refused.Message) ?? "refused",
        ConnectRefusedException refused => refused.Code,
        HttpRequestException { StatusCode: { } status } => $"http_{(int)status}",
        HttpRequestException => "http_error",
        TimeoutException or OperationCanceledException => "timeout",
        WebSocketException => "websocket",
        IOException => "connection_closed",
        InvalidOperationException when exception.Message.Contains("not active", StringComparison.OrdinalIgnoreCase) => "connection_closed",
        _ when exception.Message.Contains(HubExceptionMarker, StringComparison.Ordinal) => CodeOf(exception.Message) ?? "hub_error",
        _ => exception.GetType().Name,
    };

    /// <summary>The <c>[a-z_]+</c> code before the first ':' after the last "HubException: ", or at the start.</summary>
    public static string? CodeOf(string message)
    {
        var marker = message.LastIndexOf(HubExceptionMarker, StringComparison.Ordinal);
        var start = marker >= 0 ? marker + HubExceptionMarker.Length : 0;
        var end = start;
        while (end < message.Length && (char.IsAsciiLetterLower(message[end]) || message[end] == '_'))
        {
            end++;
        }

        return end > start && end < message.Length && message[end] == ':' ? message[start..end] : null;
    }
}
