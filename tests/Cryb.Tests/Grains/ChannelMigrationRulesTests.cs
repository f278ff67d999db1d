using Cryb.Channels;
using Cryb.Grains.Channels;
using Cryb.Guilds;
using Cryb.Identity;

namespace Cryb.Tests.Grains;

/// <summary>Which channels still have a step of their move into a server to take, and the sweep's keys, as pure logic.</summary>
public sealed class ChannelMigrationRulesTests
{
    private const string Id = "0192f3a4b5c6d7e8f9a0b1c2d3e4f5a6";

    private static ChannelState Standalone() => ChannelState.Created("general", isPrivate: false, "owner", DateTimeOffset.UnixEpoch);

    private static GuildAccess AccessOf(string guildId) => new(guildId, "owner", new Dictionary<string, ulong>(), [], 1);

    [Fact]
    public void A_standalone_channel_is_due_and_a_direct_message_a_deleted_or_an_unknown_channel_is_not()
    {
        Assert.True(ChannelMigration.IsDue(Id, Standalone()));
        Assert.False(ChannelMigration.IsDue(Id, new ChannelState()));
        Assert.False(ChannelMigration.IsDue(Id, new ChannelState { Deleted = true }));
        Assert.False(ChannelMigration.IsDue(Id, ChannelState.OpenedDirect("owner", DateTimeOffset.UnixEpoch)));
    }

    [Fact]
    public void A_channel_in_its_own_server_is_due_until_its_members_were_told_and_another_servers_channel_never()
    {
        var moved = Standalone();
        moved.GuildId = Id;
        moved.Access = AccessOf(Id);
        Assert.True(ChannelMigration.IsDue(Id, moved)); // step two done, members not yet told
        moved.Members.Clear();
        Assert.False(ChannelMigration.IsDue(Id, moved));

        var other = ChannelState.AttachedToGuild(new GuildChannelAccess(
            new GuildChannel(Id, "another-server", GuildChannelType.Text, "general", "", null, 0, 0, []), AccessOf("another-server")), DateTimeOffset.UnixEpoch);
        Assert.False(ChannelMigration.IsDue(Id, other));
    }

    [Fact]
    public void The_snapshot_lists_members_admins_and_bans_of_the_channel()
    {
        var channel = Standalone();
        channel.Members["bob"] = ChannelRole.Admin;
        channel.Members["carol"] = ChannelRole.Member;
        channel.Banned.Add("mallory");

        var snapshot = ChannelMigration.Snapshot(Id, channel);

        Assert.Equal(["bob", "carol", "owner"], snapshot.MemberIds);
        Assert.Equal(["bob"], snapshot.AdminIds);
        Assert.Equal(["mallory"], snapshot.BannedIds);
        Assert.Equal((Id, "general", false, "owner"), (snapshot.ChannelId, snapshot.Name, snapshot.IsPrivate, snapshot.OwnerId));
    }

    [Fact]
    public void A_stored_key_gives_back_the_channel_id_whether_kept_as_a_guids_halves_or_as_text()
    {
        var id = Ids.NewChannelId();
        var bytes = Guid.ParseExact(id, "N").ToByteArray();

        Assert.Equal(id, new StoredChannelKey(BitConverter.ToInt64(bytes, 0), BitConverter.ToInt64(bytes, 8), "").ChannelId);
        Assert.Equal("lobby", new StoredChannelKey(0, 0, "lobby").ChannelId);
    }
}
