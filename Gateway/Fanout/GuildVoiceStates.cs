using Cryb.Voice;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// A gateway's copy of one server's voice states, kept from <c>VoiceStateUpdated</c> events and
/// put right from the voice grain's snapshots. Each user's newest version is remembered, a leave's
/// included, and so is the newest snapshot's version: an event that comes late (given up as lost,
/// then delivered after a catch-up read what followed it) is older than one of them and changes
/// nothing, so nobody who left is brought back. Not thread-safe: the feed holds its lock.
/// </summary>
public sealed class GuildVoiceStates
{
    private readonly Dictionary<string, VoiceState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _versions = new(StringComparer.Ordinal);
    private long _snapshotVersion;

    /// <summary>Who is in one of the server's voice channels, by user id.</summary>
    public IEnumerable<VoiceState> All => _states.Values;

    /// <summary>How many are in the server's voice channels.</summary>
    public int Count => _states.Count;

    /// <summary>Those in <paramref name="channelId"/>, in user id order.</summary>
    public VoiceState[] In(string channelId) =>
        _states.Values.Where(state => state.ChannelId == channelId).OrderBy(state => state.UserId, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// An event's state: true if it is news (newer than the user's last change and than the last
    /// snapshot, which holds every change up to its version), then held.
    /// </summary>
    public bool Apply(VoiceState state)
    {
        if (state.Version <= Math.Max(_snapshotVersion, _versions.GetValueOrDefault(state.UserId)))
        {
            return false;
        }

        Hold(state);
        return true;
    }

    /// <summary>
    /// The voice grain's snapshot, the truth as of its version: returns what changed for the members
    /// (each state that is news, with the channel its user was in; each user held here who left, as
    /// their state with no channel, at the version held). A state held here that is newer than the
    /// snapshot stays: its event came after the snapshot was taken.
    /// </summary>
    public IReadOnlyList<(VoiceState State, string? FromChannelId)> Replace(VoiceSnapshot snapshot)
    {
        List<(VoiceState, string?)> changed = [];
        var listed = snapshot.States.Select(state => state.UserId).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _states.Values.Where(held => !listed.Contains(held.UserId) && held.Version <= snapshot.Version).ToArray())
        {
            _states.Remove(gone.UserId);
            changed.Add((gone with { ChannelId = null }, gone.ChannelId));
        }

        foreach (var state in snapshot.States)
        {
            if (state.Version > _versions.GetValueOrDefault(state.UserId))
            {
                var from = _states.GetValueOrDefault(state.UserId)?.ChannelId;
                Hold(state);
                changed.Add((state, from));
            }
        }

        _snapshotVersion = Math.Max(_snapshotVersion, snapshot.Version);
        // The snapshot's version covers every older change: only newer ones need a version of their own.
        foreach (var userId in _versions.Where(entry => entry.Value <= _snapshotVersion && !_states.ContainsKey(entry.Key)).Select(entry => entry.Key).ToArray())
        {
            _versions.Remove(userId);
        }

        return changed;
    }

    /// <summary>The server is gone: nothing of it is held.</summary>
    public void Clear()
    {
        _states.Clear();
        _versions.Clear();
    }

    private void Hold(VoiceState state)
    {
        _versions[state.UserId] = state.Version;
        if (state.ChannelId is null)
        {
            _states.Remove(state.UserId);
        }
        else
        {
            _states[state.UserId] = state;
        }
    }
}
