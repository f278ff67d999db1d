using Cryb.Voice;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// Turns the voice states a server's feed gathered over one <see cref="GuildFeed.VoiceWindow"/> into
/// <c>VoiceStatesUpdated</c> frames: each connection gets the states it may see, in the order they
/// came, in one frame, and the connections that see the same list share one frame (SignalR
/// serializes a frame once for all its connections). In a server where everyone views every voice
/// channel that is one frame for all; the bench measured about 10 µs per frame delivered, so one
/// frame per state per member (200 calls/s to 999 members) was more than two cores.
/// </summary>
public static class VoiceFrames
{
    private static readonly IReadOnlySet<string> Empty = new HashSet<string>();

    /// <summary>
    /// The frames for <paramref name="states"/> (in the order the feed heard them, each with the
    /// channel its user came from), given who views a channel now (<paramref name="viewers"/>, asked
    /// at most once per channel). A viewer of the state's channel gets it as it is; a connection that
    /// viewed only the channel the user came from gets it with no channel (the user left voice there
    /// as far as it can see).
    /// </summary>
    public static IReadOnlyList<(string[] ConnectionIds, VoiceState[] States)> Group(
        IReadOnlyList<(VoiceState State, string? FromChannelId)> states, Func<string, IReadOnlySet<string>> viewers)
    {
        Dictionary<string, IReadOnlySet<string>> viewersOf = new(StringComparer.Ordinal);
        IReadOnlySet<string> ViewersOf(string channelId)
        {
            if (!viewersOf.TryGetValue(channelId, out var found))
            {
                viewersOf[channelId] = found = viewers(channelId);
            }

            return found;
        }

        // Per connection, what it is sent, as codes: 2i for states[i] as it is, 2i + 1 for it with no channel.
        Dictionary<string, List<int>> codes = new(StringComparer.Ordinal);
        void Add(string connectionId, int code)
        {
            if (!codes.TryGetValue(connectionId, out var list))
            {
                codes[connectionId] = list = [];
            }

            list.Add(code);
        }

        for (var i = 0; i < states.Count; i++)
        {
            var (state, from) = states[i];
            var now = state.ChannelId is { } channelId ? ViewersOf(channelId) : Empty;
            foreach (var connectionId in now)
            {
                Add(connectionId, 2 * i);
            }

            if (from is not null && from != state.ChannelId)
            {
                foreach (var connectionId in ViewersOf(from))
                {
                    if (!now.Contains(connectionId))
                    {
                        Add(connectionId, 2 * i + 1);
                    }
                }
            }
        }

        List<(string[], VoiceState[])> frames = [];
        foreach (var group in codes.GroupBy(entry => entry.Value, SequenceComparer.Instance))
        {
            var sent = group.Key.Select(code => code % 2 == 0 ? states[code / 2].State : states[code / 2].State with { ChannelId = null }).ToArray();
            frames.Add((group.Select(entry => entry.Key).ToArray(), sent));
        }

        return frames;
    }

    /// <summary>Lists of codes equal when they hold the same codes in the same order.</summary>
    private sealed class SequenceComparer : IEqualityComparer<List<int>>
    {
        public static readonly SequenceComparer Instance = new();

        public bool Equals(List<int>? x, List<int>? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.SequenceEqual(y));

        public int GetHashCode(List<int> codes)
        {
            var hash = new HashCode();
            foreach (var code in codes)
            {
                hash.Add(code);
            }

            return hash.ToHashCode();
        }
    }
}
