using Cryb.Grains.Guilds;
using Cryb.Guilds;
using Cryb.Identity;

namespace Cryb.Tests.Grains;

/// <summary>A server's stored record on its own: what it makes of records stored by older versions.</summary>
public sealed class GuildRecordTests
{
    [Fact]
    public void Channels_stored_without_a_creation_time_get_their_ids_time_and_stamped_ones_keep_theirs()
    {
        var stamped = DateTimeOffset.Parse("2001-02-03T04:05:06Z");
        var oldId = Ids.NewChannelId();
        var newId = Ids.NewChannelId();
        var record = new GuildRecord
        {
            Exists = true,
            Channels =
            {
                // As a record written before GuildChannel.CreatedAt existed reads back: the default.
                [oldId] = new GuildChannel(oldId, "g1", GuildChannelType.Text, "old", "", null, 0, 0, []),
                ["legacy"] = new GuildChannel("legacy", "g1", GuildChannelType.Category, "not a UUIDv7", "", null, 1, 0, []),
                [newId] = new GuildChannel(newId, "g1", GuildChannelType.Text, "new", "", null, 2, 0, [], stamped),
            },
        };

        record.FillChannelTimes();

        var idTime = DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(oldId[..12], 16));
        Assert.Equal(idTime, record.Channels[oldId].CreatedAt);
        Assert.InRange(idTime, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        Assert.Equal(DateTimeOffset.UnixEpoch, record.Channels["legacy"].CreatedAt);
        Assert.Equal(stamped, record.Channels[newId].CreatedAt);
    }
}
