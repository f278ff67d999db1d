using System.Collections.Concurrent;
using System.Text;

namespace Cryb.Tests.Fuzz;

/// <summary>
/// What the fuzzer sent and what came of it, counted per protocol, class and outcome, with every
/// frame whose outcome was not one its class allows.
/// </summary>
public sealed class FuzzTally
{
    private readonly ConcurrentDictionary<(string Protocol, string Class, string Outcome), int> _outcomes = new();
    private readonly ConcurrentDictionary<string, int> _protocolErrors = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private int _barriers;
    private int _connections;
    private int _connectRetries;

    public int Frames => _outcomes.Values.Sum();
    public int Barriers => _barriers;
    public int Connections => _connections;
    public int ConnectRetries => _connectRetries;
    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>How many frames each <c>cryb.gateway.protocol_errors</c> kind should have counted.</summary>
    public IReadOnlyDictionary<string, int> ExpectedProtocolErrors => _protocolErrors;

    public int Count(string outcome) => _outcomes.Where(entry => entry.Key.Outcome == outcome).Sum(entry => entry.Value);

    public int CountProtocol(string protocol) => _outcomes.Where(entry => entry.Key.Protocol == protocol).Sum(entry => entry.Value);

    public void Record(string protocol, FuzzFrame frame, string outcome)
    {
        _outcomes.AddOrUpdate((protocol, frame.Class, outcome), 1, (_, count) => count + 1);
        if (frame.ProtocolErrorKind is { } kind)
        {
            _protocolErrors.AddOrUpdate(kind, 1, (_, count) => count + 1);
        }

        if (!frame.Expected.Contains(outcome))
        {
            Fail($"{protocol} {frame.Class}/{frame.Variant} (id {frame.InvocationId ?? "none"}): {outcome}, expected {string.Join(" or ", frame.Expected)}");
        }
    }

    public void Fail(string failure) => _failures.Enqueue(failure);

    public void Barrier() => Interlocked.Increment(ref _barriers);

    public void Connected() => Interlocked.Increment(ref _connections);

    public void ConnectRetried() => Interlocked.Increment(ref _connectRetries);

    /// <summary>A Markdown table: a row per protocol and class, a column per outcome seen.</summary>
    public string Table()
    {
        var outcomes = _outcomes.Keys.Select(key => key.Outcome).Distinct().Order(StringComparer.Ordinal).ToArray();
        var rows = _outcomes.Keys.Select(key => (key.Protocol, key.Class)).Distinct()
            .OrderBy(row => row.Protocol, StringComparer.Ordinal).ThenBy(row => row.Class, StringComparer.Ordinal);
        var table = new StringBuilder();
        table.AppendLine($"| protocol | class | frames | {string.Join(" | ", outcomes)} |");
        table.AppendLine($"| --- | --- | ---: |{string.Concat(outcomes.Select(_ => " ---: |"))}");
        foreach (var (protocol, @class) in rows)
        {
            var counts = outcomes.Select(outcome => _outcomes.GetValueOrDefault((protocol, @class, outcome))).ToArray();
            table.AppendLine($"| {protocol} | {@class} | {counts.Sum()} | {string.Join(" | ", counts.Select(count => count == 0 ? "" : count.ToString()))} |");
        }

        var totals = outcomes.Select(Count).ToArray();
        table.AppendLine($"| all | | {Frames} | {string.Join(" | ", totals)} |");
        return table.ToString();
    }
}
