using Cryb.Identity;

namespace Cryb.Presence;

/// <summary>
/// One of the <see cref="StreamNames.PresenceShards"/> presence streams, keyed "0", "1", ...: presence
/// grains hand it their users' changes, and it pushes them in batches to every gateway, one message
/// per gateway per batch, whatever the number of channels the users are in. Each gateway sends a
/// change only to its connections that share a channel with the user.
/// </summary>
[Alias("cryb.IPresenceFeedGrain")]
public interface IPresenceFeedGrain : IGrainWithStringKey
{
    /// <summary>A user's presence changed. Silo-internal and one-way: the presence grain never waits on the feed.</summary>
    [Alias("Announce"), Orleans.Concurrency.OneWay]
    Task Announce(PresenceChanged change);

    /// <summary>
    /// The newest change of each of <paramref name="userIds"/> (users of this feed's shard, see
    /// <see cref="PresenceFeeds.KeyOf"/>) who is online, idle or in do-not-disturb, as this feed
    /// last announced it; users it holds nothing of are left out. A gateway reads a small server's
    /// online members with one call per shard instead of one per member. Gateways only.
    /// </summary>
    [Alias("GetOnline"), GatewayOnly, Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<PresenceChanged>> GetOnline(ServiceCredential gateway, IReadOnlyList<string> userIds);
}
