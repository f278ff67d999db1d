using System.Collections.Concurrent;

namespace Cryb.Chaos.Checker;

/// <summary>The scenario being recorded now, and every send of the run.</summary>
public sealed class Recorder(int channels)
{
    private readonly int _channels = channels;
    private volatile ScenarioWindow _current = new("setup", channels);
    private long _nonces;

    public ScenarioWindow Current => _current;

    public ConcurrentQueue<SendRecord> Sends { get; } = new();

    public ScenarioWindow Begin(string name) => _current = new ScenarioWindow(name, _channels);

    /// <summary>
    /// A nonce no send of the run has used. Counted over the whole run, not per scenario: a nonce
    /// an earlier scenario used is a resend to the server, which answers with the message stored
    /// then (old seq, nothing new stored), and the scenario would count an old message as its own.
    /// </summary>
    public string NextNonce(string userId) => $"{userId}-{Interlocked.Increment(ref _nonces)}";
}
