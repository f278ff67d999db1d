using Cryb.Grains.Guilds;
using Cryb.Voice;

namespace Cryb.Grains.Voice;

/// <summary>
/// The server's voice states as its voice grain holds them: the rows (one per user), the states'
/// own sequence of versions (clock-following, seeded from the rows) and the newest version applied.
/// </summary>
/// <remarks>Used only on the grain activation's scheduler.</remarks>
internal sealed class VoiceBook(TimeProvider time)
{
    private readonly Dictionary<string, StoredVoiceState> _rows = new(StringComparer.Ordinal);
    private readonly GuildVersions _versions = new(time);

    /// <summary>
    /// The newest version whose change the book holds. Versions are taken before a row is written
    /// and applied after, in order, but a snapshot read interleaves with a write in flight:
    /// <see cref="GuildVersions.Last"/> could name a change not held yet.
    /// </summary>
    public long Applied { get; private set; }

    public IReadOnlyCollection<StoredVoiceState> Rows => _rows.Values;

    public StoredVoiceState? Get(string userId) => _rows.GetValueOrDefault(userId);

    /// <summary>Takes the rows a previous activation left.</summary>
    public void Load(IEnumerable<StoredVoiceState> rows)
    {
        foreach (var row in rows)
        {
            _rows[row.State.UserId] = row;
            _versions.Seen(row.State.Version);
            Applied = Math.Max(Applied, row.State.Version);
        }
    }

    /// <summary>The next version: above every one given before.</summary>
    public long NextVersion() => _versions.Next();

    /// <summary>Holds a written row.</summary>
    public void Put(StoredVoiceState row)
    {
        _rows[row.State.UserId] = row;
        Applied = Math.Max(Applied, row.State.Version);
    }

    /// <summary>Forgets an ended session's row; <paramref name="version"/> is that of its end.</summary>
    public void Remove(string userId, long version)
    {
        _rows.Remove(userId);
        Applied = Math.Max(Applied, version);
    }

    /// <summary>How many are in the channel now.</summary>
    public int CountIn(string channelId) => _rows.Values.Count(row => row.State.ChannelId == channelId);

    public VoiceSnapshot Snapshot() =>
        new(_rows.Values.Select(row => row.State).OrderBy(state => state.UserId, StringComparer.Ordinal).ToArray(), Applied);
}
