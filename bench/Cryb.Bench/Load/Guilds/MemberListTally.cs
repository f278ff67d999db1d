namespace Cryb.Bench.Load.Guilds;

/// <summary>
/// The chunks of one full-list answer to <c>RequestGuildMembers</c> as they arrive: which indexes
/// came, every member id once, and whether the list is complete (the chunk with
/// <c>chunkIndex == chunkCount - 1</c> arrived). Chunks come one connection's events at a time,
/// in order; a chunk out of order or twice is counted, not trusted.
/// </summary>
public sealed class MemberListTally
{
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);
    private int _nextIndex;

    /// <summary>Chunks received.</summary>
    public int Chunks { get; private set; }

    /// <summary>The <c>chunkCount</c> of the last chunk: its index + 1 once complete.</summary>
    public int ChunkCount { get; private set; }

    /// <summary>Members received, repeats included.</summary>
    public int Received { get; private set; }

    /// <summary>Member ids received more than once.</summary>
    public int Duplicates { get; private set; }

    /// <summary>Chunks whose index was not the next expected one.</summary>
    public int OutOfOrder { get; private set; }

    /// <summary>The most members one chunk held.</summary>
    public int LargestChunk { get; private set; }

    public bool Complete { get; private set; }

    /// <summary>Distinct member ids received.</summary>
    public IReadOnlySet<string> Members => _members;

    /// <summary>Counts one chunk; returns true when it was the last (<paramref name="chunkIndex"/> = <paramref name="chunkCount"/> − 1).</summary>
    public bool Add(int chunkIndex, int chunkCount, IReadOnlyList<string> memberIds)
    {
        Chunks++;
        if (chunkIndex != _nextIndex)
        {
            OutOfOrder++;
        }

        _nextIndex = chunkIndex + 1;
        ChunkCount = chunkCount;
        LargestChunk = Math.Max(LargestChunk, memberIds.Count);
        foreach (var id in memberIds)
        {
            Received++;
            if (!_members.Add(id))
            {
                Duplicates++;
            }
        }

        Complete = chunkIndex == chunkCount - 1;
        return Complete;
    }

    /// <summary>
    /// How the distinct ids received differ from <paramref name="expected"/>, the server's members:
    /// (missing, unexpected). Both 0 and no <see cref="Duplicates"/>: every member exactly once.
    /// </summary>
    public (int Missing, int Unexpected) CompareWith(IReadOnlySet<string> expected)
    {
        var found = _members.Count(expected.Contains);
        return (expected.Count - found, _members.Count - found);
    }

    /// <summary>Members per second over <paramref name="micros"/>, from the request to the last chunk; 0 for no time.</summary>
    public static double Rate(long members, long micros) => micros <= 0 ? 0 : Math.Round(members * 1_000_000.0 / micros, 1);
}
