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
}
