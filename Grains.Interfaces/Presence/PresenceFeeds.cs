namespace Cryb.Presence;

/// <summary>Which presence feed (<see cref="IPresenceFeedGrain"/>) carries a user's changes: shared by the presence grains that announce and the gateways that read.</summary>
public static class PresenceFeeds
{
    /// <summary>The feed a user's changes go through: a stable hash, so each user's changes stay in one feed, in order.</summary>
    public static string KeyOf(string userId)
    {
        var hash = 2166136261u; // FNV-1a: string.GetHashCode differs between processes
        foreach (var c in userId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (hash % StreamNames.PresenceShards).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
