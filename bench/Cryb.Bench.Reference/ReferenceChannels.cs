using System.Collections.Concurrent;
using Cryb.Channels;

namespace Cryb.Bench.Reference;

/// <summary>The channels of the reference hub, in memory: each one's description and its last seq.</summary>
public sealed class ReferenceChannels
{
    private readonly ConcurrentDictionary<string, ReferenceChannel> _channels = new(StringComparer.Ordinal);

    public ReferenceChannel Create(string name, bool isPrivate, string ownerId)
    {
        var channel = new ReferenceChannel(new ChannelInfo(Guid.CreateVersion7().ToString("N"), name, isPrivate, ownerId, DateTimeOffset.UtcNow));
        _channels[channel.Info.Id] = channel;
        return channel;
    }

    public ReferenceChannel? Find(string channelId) => _channels.GetValueOrDefault(channelId);
}

/// <summary>One channel. Lock it to take a seq and start the group send, so every member gets seqs in order.</summary>
public sealed class ReferenceChannel(ChannelInfo info)
{
    public ChannelInfo Info { get; } = info;

    public long LastSeq { get; set; }
}
