using Cryb.Channels;
using Cryb.Guilds;
using Cryb.Tests.Infrastructure;
using Cryb.Users;

namespace Cryb.Tests.Integration;

/// <summary>
/// The channel membership methods of a private channel that the operator's sweep moved into a
/// server of its own, over the real SignalR protocol: a client that invited and kicked before the
/// move keeps doing so with the same calls, and the people it acts on hear of the server. A cluster
/// of its own: the sweep moves every channel of it.
/// </summary>
public sealed class ChannelMigrationMembershipProtocolTests(PreUpgradeChannelsFixture fixture) : IClassFixture<PreUpgradeChannelsFixture>
{
    private static readonly HttpClient Http = new();

    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task After_the_move_InviteToChannel_gives_the_invitee_the_server_and_its_messages_and_KickMember_removes_them()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var carol = await Cluster.ConnectAsync(1, TestUsers.New("carol"));
        var channel = await alice.CreateChannelAsync("private corner", isPrivate: true);
        await alice.SendMessageAsync(channel.Id, "before the move");

        await fixture.RunSweepAsync();
        Assert.Equal(channel.Id, (await alice.NextAsync<GuildState>("GuildCreated")).Guild.Id);

        // The same call as before the move, and carol's consent: she becomes a member of the channel's server.
        await alice.InvokeAsync("InviteToChannel", channel.Id, carol.UserId);
        var invitation = await carol.NextAsync<Cryb.Relationships.Invitation>("InvitationReceived");
        Assert.Equal((channel.Id, channel.Name, alice.UserId), (invitation.ChannelId, invitation.ChannelName, invitation.InviterId));
        Assert.True(carol.HasNo("GuildCreated"));
        await carol.InvokeAsync("AcceptInvitation", channel.Id);
        Assert.Equal(("accepted", channel.Id), ((await carol.NextAsync<InvitationGoneEvent>("InvitationRemoved")).Reason, channel.Id));
        var server = await carol.NextAsync<GuildState>("GuildCreated");
        Assert.Equal((channel.Id, channel.Id, carol.UserId), (server.Guild.Id, Assert.Single(server.Channels).Id, server.Member.UserId));
        Assert.True(carol.HasNo("ChannelAdded"));

        // Then the channel's messages reach her, as any member of the server.
        var sent = await alice.SendMessageAsync(channel.Id, "welcome");
        Assert.Equal(sent, await carol.NextMessageCreatedAsync());
        Assert.Equal(2, sent.Seq);
        var members = await alice.InvokeAsync<MemberWithRole[]>("GetMembers", channel.Id);
        Assert.Equal([(alice.UserId, ChannelRole.Owner), (carol.UserId, ChannelRole.Member)], members.Select(m => (m.UserId, m.Role)));

        // And kicking her out of the channel takes her out of its server.
        await alice.InvokeAsync("KickMember", channel.Id, carol.UserId);
        var removed = await carol.NextAsync<GuildRemoved>("GuildRemoved");
        Assert.Equal((channel.Id, "kicked"), (removed.GuildId, removed.Reason));
        await Refusals.AssertHubRefusesAsync("channel_not_found", () => carol.SendMessageAsync(channel.Id, "still here?"));
    }

    /// <summary>A member as the hub's <c>GetMembers</c> returns it.</summary>
    private sealed record MemberWithRole(string UserId, ChannelRole Role, string? Status);
}
