using System.Collections.Concurrent;

namespace Cryb.Chaos.Checker;

/// <summary>The scenario being recorded now, and every send of the run.</summary>
public sealed class Recorder(int channels)
{
    private readonly int _channels = channels;
    private volatile ScenarioWindow _current = new("setup", channels);

    public ScenarioWindow Current => _current;

    public ConcurrentQueue<SendRecord> Sends { get; } = new();

    public ScenarioWindow Begin(string name) => _current = new ScenarioWindow(name, _channels);
}
