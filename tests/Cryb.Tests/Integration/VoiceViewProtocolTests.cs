using Cryb.Channels;
using Cryb.Gateway.Hubs;
using Cryb.Guilds;
using Cryb.Tests.Infrastructure;
using Cryb.Users;
using Cryb.Voice;

namespace Cryb.Tests.Integration;

/// <summary>
/// Voice states follow who can view a voice channel, over the real SignalR protocol: a member who
/// comes to view it (a role given, an overwrite changed) is told who is in it now, one who no longer
/// can is told those states are gone from their view (<c>channelId</c> null) and hears nothing more
/// of it. A control member on the same gateway, who views the channel throughout, gets each later
/// event first (one gateway sends an event to all its recipients at once).
/// </summary>
[Collection(VoiceProcessClusterCollection.Name)]
public sealed class VoiceViewProtocolTests(VoiceProcessClusterFixture fixture)
{
    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_member_who_comes_to_view_a_voice_channel_learns_who_is_in_it_and_one_who_no_longer_can_is_told_they_are_gone()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));
        await using var carol = await Cluster.ConnectAsync(1, TestUsers.New("carol"));
        await using var dave = await Cluster.ConnectAsync(1, TestUsers.New("dave"));
        var guildId = await VoiceSteps.CreateServerAsync(alice, bob, carol, dave);
        var staff = await alice.InvokeAsync<GuildRole>("CreateRole", guildId, new RoleSpec("staff", 0));
        PermissionOverwrite[] hiddenFromEveryone =
        [
            new(guildId, OverwriteKind.Role, 0, Permission.ViewChannel),
            new(staff.Id, OverwriteKind.Role, Permission.ViewChannel, 0),
            new(bob.UserId, OverwriteKind.Member, Permission.ViewChannel, 0),
            new(dave.UserId, OverwriteKind.Member, Permission.ViewChannel, 0),
        ];
        var room = await alice.InvokeAsync<GuildChannel>("CreateGuildChannel", guildId, new GuildChannelSpec("Staff room", GuildChannelType.Voice, Overwrites: hiddenFromEveryone));
        await dave.NextAsync<GuildChannelCreated>("GuildChannelCreated");
        var joined = await bob.InvokeAsync<VoiceJoin>("JoinVoice", room.Id, false, false);
        var inRoom = await VoiceSteps.NextStateOfAsync(dave, bob.UserId);
        Assert.True(carol.HasNo("VoiceStateUpdated"));

        // A role gives carol the view: she is given the room (no server event describes it to her
        // otherwise) and told who is in it now.
        await alice.InvokeAsync<GuildMember>("AddMemberRole", guildId, carol.UserId, staff.Id);
        var shown = await NextVisibleAsync(carol, room.Id);
        Assert.Equal((guildId, room.Id, "Staff room", GuildChannelType.Voice), (shown.GuildId, shown.Channel.Id, shown.Channel.Name, shown.Channel.Type));
        Assert.Equal(inRoom, await VoiceSteps.NextStateOfAsync(carol, bob.UserId));

        // Taking it away takes bob's state out of her view, then the room, and she hears nothing more of it.
        await alice.InvokeAsync<GuildMember>("RemoveMemberRole", guildId, carol.UserId, staff.Id);
        var outOfView = await VoiceSteps.NextStateOfAsync(carol, bob.UserId);
        Assert.Equal(inRoom with { ChannelId = null }, outOfView);
        var removed = await carol.NextAsync<ChannelRemoved>("ChannelRemoved");
        Assert.Equal((room.Id, LeaveReasons.NoAccess), (removed.ChannelId, removed.Reason));
        await AssertOnlyDaveHearsAsync(bob, dave, carol, selfMute: true);

        // An overwrite that lets her view the room: told who is in it, as it is now.
        var withCarol = hiddenFromEveryone.Append(new PermissionOverwrite(carol.UserId, OverwriteKind.Member, Permission.ViewChannel, 0)).ToArray();
        await alice.InvokeAsync<GuildChannel>("UpdateGuildChannel", guildId, room.Id, new GuildChannelSpec(Overwrites: withCarol));
        await NextVisibleAsync(carol, room.Id);
        var seen = await VoiceSteps.NextStateOfAsync(carol, bob.UserId);
        Assert.Equal((room.Id, joined.SessionId, true), (seen.ChannelId, seen.SessionId, seen.SelfMute));
        await bob.InvokeAsync<VoiceState>("UpdateVoiceState", false, false, false, false);
        Assert.False((await VoiceSteps.NextStateOfAsync(carol, bob.UserId)).SelfMute);
        await VoiceSteps.NextStateOfAsync(dave, bob.UserId);

        // The overwrite taken back: gone from her view again.
        await alice.InvokeAsync<GuildChannel>("UpdateGuildChannel", guildId, room.Id, new GuildChannelSpec(Overwrites: hiddenFromEveryone));
        var goneAgain = await VoiceSteps.NextStateOfAsync(carol, bob.UserId);
        Assert.Equal((null, joined.SessionId), (goneAgain.ChannelId, goneAgain.SessionId));
        Assert.Equal(room.Id, (await carol.NextAsync<ChannelRemoved>("ChannelRemoved")).ChannelId);
        await AssertOnlyDaveHearsAsync(bob, dave, carol, selfMute: true);
    }

    /// <summary>
    /// The next <c>GuildChannelVisible</c> for <paramref name="channelId"/>. A member's join may also
    /// have announced the server's "general" late (its roles came after the connection entered):
    /// harmless, and not this test's.
    /// </summary>
    private static async Task<GuildChannelVisible> NextVisibleAsync(ChatTestClient member, string channelId)
    {
        GuildChannelVisible visible;
        do
        {
            visible = await member.NextAsync<GuildChannelVisible>("GuildChannelVisible");
        }
        while (visible.Channel.Id != channelId);
        return visible;
    }

    /// <summary>Bob changes his state: dave (who views the room) hears it, carol (on dave's gateway) does not.</summary>
    private static async Task AssertOnlyDaveHearsAsync(ChatTestClient bob, ChatTestClient dave, ChatTestClient carol, bool selfMute)
    {
        await bob.InvokeAsync<VoiceState>("UpdateVoiceState", selfMute, false, false, false);
        Assert.Equal(selfMute, (await VoiceSteps.NextStateOfAsync(dave, bob.UserId)).SelfMute);
        Assert.True(carol.HasNo("VoiceStateUpdated"));
    }
}
