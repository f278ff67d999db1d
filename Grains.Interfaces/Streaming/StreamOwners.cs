using Cryb.Channels;
using Cryb.Guilds;
using Cryb.Presence;
using Cryb.Users;

namespace Cryb.Streaming;

/// <summary>
/// Which grain owns each stream namespace: the grain of that interface whose key is the stream's key
/// holds the stream's subscribers and pushes what is published on it.
/// </summary>
public static class StreamOwners
{
    public static Type InterfaceOf(StreamId streamId) => streamId.GetNamespace() switch
    {
        StreamNames.Channel => typeof(IChannelGrain),
        StreamNames.Guild => typeof(IGuildGrain),
        StreamNames.User => typeof(IUserGrain),
        StreamNames.Presence => typeof(IPresenceFeedGrain),
        var other => throw new ArgumentException($"No grain owns streams of namespace '{other}'.", nameof(streamId)),
    };

    /// <summary>The owner's <see cref="IStreamOwnerExtension"/>.</summary>
    public static IStreamOwnerExtension Of(IGrainFactory grains, StreamId streamId) =>
        grains.GetGrain(InterfaceOf(streamId), streamId.GetKeyAsString()).AsReference<IStreamOwnerExtension>();
}
