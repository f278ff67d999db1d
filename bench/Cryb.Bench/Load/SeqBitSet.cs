using System.Numerics;

namespace Cryb.Bench.Load;

/// <summary>
/// A growable set of channel seqs (small non-negative numbers: a channel the run created counts
/// from 1), one bit each. Not thread-safe: each owner guards its own.
/// </summary>
public sealed class SeqBitSet
{
    private ulong[] _words = new ulong[16];

    public long Count { get; private set; }

    public bool Contains(long seq) => seq >= 0 && seq >> 6 < _words.Length && (_words[seq >> 6] & (1UL << (int)(seq & 63))) != 0;

    /// <summary>Adds <paramref name="seq"/>; false when it was already in.</summary>
    public bool Add(long seq)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seq);
        var word = seq >> 6;
        if (word >= _words.Length)
        {
            Array.Resize(ref _words, (int)Math.Max(word + 1, _words.Length * 2L));
        }

        var bit = 1UL << (int)(seq & 63);
        if ((_words[word] & bit) != 0)
        {
            return false;
        }

        _words[word] |= bit;
        Count++;
        return true;
    }

    /// <summary>The seqs of this set that <paramref name="other"/> lacks, in increasing order.</summary>
    public IEnumerable<long> MissingFrom(SeqBitSet other)
    {
        for (var word = 0; word < _words.Length; word++)
        {
            var lacking = _words[word] & ~(word < other._words.Length ? other._words[word] : 0);
            while (lacking != 0)
            {
                yield return word * 64L + BitOperations.TrailingZeroCount(lacking);
                lacking &= lacking - 1;
            }
        }
    }

    /// <summary>How many seqs are in both sets.</summary>
    public long CountCommon(SeqBitSet other)
    {
        long count = 0;
        var words = Math.Min(_words.Length, other._words.Length);
        for (var word = 0; word < words; word++)
        {
            count += BitOperations.PopCount(_words[word] & other._words[word]);
        }

        return count;
    }

    /// <summary>How many seqs of this set are above <paramref name="seq"/>.</summary>
    public long CountAbove(long seq)
    {
        if (seq < 0)
        {
            return Count;
        }

        var first = seq + 1;
        var word = first >> 6;
        if (word >= _words.Length)
        {
            return 0;
        }

        long count = BitOperations.PopCount(_words[word] & (ulong.MaxValue << (int)(first & 63)));
        for (var w = word + 1; w < _words.Length; w++)
        {
            count += BitOperations.PopCount(_words[w]);
        }

        return count;
    }

    /// <summary>A copy, for reading a set others still write to.</summary>
    public SeqBitSet Clone() => new() { _words = (ulong[])_words.Clone(), Count = Count };
}
