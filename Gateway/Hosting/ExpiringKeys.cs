using System.Collections.Concurrent;

namespace Cryb.Gateway.Hosting;

/// <summary>
/// Keys remembered until a deadline each, on a <see cref="TimeProvider"/>'s clock: what a gateway may
/// answer locally for a few seconds instead of asking a grain again. Expired keys are swept once many
/// are held, so keys that never come back cost nothing for long.
/// </summary>
public sealed class ExpiringKeys<TKey>(TimeProvider time, int sweepAbove = 10_000) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, long> _until = new();

    public int Count => _until.Count;

    /// <summary>True while <paramref name="key"/> is remembered, with the time it has left.</summary>
    public bool Contains(TKey key, out TimeSpan remaining)
    {
        remaining = _until.TryGetValue(key, out var until) ? time.GetElapsedTime(time.GetTimestamp(), until) : TimeSpan.Zero;
        return remaining > TimeSpan.Zero;
    }

    public bool Contains(TKey key) => Contains(key, out _);

    public void Add(TKey key, TimeSpan lifetime)
    {
        if (_until.Count >= sweepAbove)
        {
            Sweep();
        }

        _until[key] = time.GetTimestamp() + (long)(lifetime.TotalSeconds * time.TimestampFrequency);
    }

    public void Remove(TKey key) => _until.TryRemove(key, out _);

    private void Sweep()
    {
        var now = time.GetTimestamp();
        foreach (var (key, until) in _until)
        {
            if (until <= now)
            {
                _until.TryRemove(new KeyValuePair<TKey, long>(key, until));
            }
        }
    }
}
