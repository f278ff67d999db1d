using Cryb.Channels;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// <c>GuildCreated</c>'s presences over the real SignalR protocol: a small server's online members
/// with their presence, read by a gateway that never served the server before (from the presence
/// feeds) and then kept by the presence stream; none for a large server.
/// </summary>
public sealed class GuildPresenceTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_small_servers_GuildCreated_lists_its_online_members_presence_and_follows_their_changes()
    {
        // Everyone on gateway 0: gateway 1 has never served the server when alice's phone connects there.
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(0, TestUsers.New("bob"));
        var (guildId, _, _) = await GuildSteps.CreateServerAsync(alice, "presences", bob);
        var carol = await GuildSteps.ImportAsync(Cluster, guildId, 1); // a member who never connected: offline
        await bob.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Dnd, null);
        await GuildSteps.PresenceOfAsync(alice, bob.UserId, PresenceStatus.Dnd);

        await using var alicesPhone = await Cluster.ConnectAsync(1, alice.UserId);
        var listed = Assert.Single((await alicesPhone.NextAsync<ReadyEvent>("Ready")).Guilds!);
        Assert.False(listed.Large);
        Assert.Contains(listed.Members, member => member.UserId == carol[0]);
        Assert.Equal(
            [(alice.UserId, PresenceStatus.Online), (bob.UserId, PresenceStatus.Dnd)],
            listed.Presences.Select(presence => (presence.UserId, presence.Status)).Order());
        Assert.DoesNotContain(listed.Presences, presence => presence.UserId == carol[0]);

        // After GuildCreated, a member's change reaches the co-member, and the next GuildCreated
        // made by that gateway has it (kept from the presence stream, not read again).
        await bob.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Idle, null);
        await GuildSteps.PresenceOfAsync(alicesPhone, bob.UserId, PresenceStatus.Idle);
        await using var alicesTablet = await Cluster.ConnectAsync(1, alice.UserId);
        var again = Assert.Single((await alicesTablet.NextAsync<ReadyEvent>("Ready")).Guilds!);
        Assert.Equal(PresenceStatus.Idle, Assert.Single(again.Presences, presence => presence.UserId == bob.UserId).Status);

        // A member who joins once the gateway has read the server's presences: their "dnd" came
        // before they joined (it named no server of alice's), and is read at the next GuildCreated.
        await using var dave = await Cluster.ConnectAsync(0, TestUsers.New("dave"));
        await DirectMessagePrivacy.OpenToEveryoneAsync(Cluster, alice.UserId);
        await dave.InvokeAsync<ChannelInfo>("OpenDirectMessage", alice.UserId); // so alice sees dave's presence change
        await dave.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Dnd, null);
        await GuildSteps.PresenceOfAsync(alice, dave.UserId, PresenceStatus.Dnd);
        var code = (await alice.InvokeAsync<GuildInvite>("CreateInvite", guildId, 0, 0)).Code;
        await dave.InvokeAsync<GuildState>("JoinGuild", code);
        while ((await alicesPhone.NextAsync<GuildMemberAdded>("GuildMemberAdded")).Member.UserId != dave.UserId)
        {
        }

        await using var alicesWatch = await Cluster.ConnectAsync(1, alice.UserId);
        var withDave = Assert.Single((await alicesWatch.NextAsync<ReadyEvent>("Ready")).Guilds!);
        Assert.Equal(PresenceStatus.Dnd, Assert.Single(withDave.Presences, presence => presence.UserId == dave.UserId).Status);

        // Going offline leaves the list too.
        await bob.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Invisible, null);
        await GuildSteps.PresenceOfAsync(alicesPhone, bob.UserId, PresenceStatus.Offline);
        await using var alicesLaptop = await Cluster.ConnectAsync(1, alice.UserId);
        var later = Assert.Single((await alicesLaptop.NextAsync<ReadyEvent>("Ready")).Guilds!);
        Assert.DoesNotContain(later.Presences, presence => presence.UserId == bob.UserId);
    }

    [Fact]
    public async Task A_large_servers_GuildCreated_lists_no_presences_and_only_the_callers_own_record()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(0, TestUsers.New("bob"));
        var (guildId, _, _) = await GuildSteps.CreateServerAsync(alice, "large", bob);
        await GuildSteps.ImportAsync(Cluster, guildId, GuildLimits.LargeThreshold + 1);

        // Gateway 1 reads the server afresh: 253 members.
        await using var alicesPhone = await Cluster.ConnectAsync(1, alice.UserId);
        var listed = Assert.Single((await alicesPhone.NextAsync<ReadyEvent>("Ready")).Guilds!);
        Assert.True(listed.Large);
        Assert.Equal(GuildLimits.LargeThreshold + 3, listed.Guild.MemberCount);
        Assert.Equal(alice.UserId, Assert.Single(listed.Members).UserId);
        Assert.Empty(listed.Presences);
    }
}
