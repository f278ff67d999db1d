using Cryb.Channels;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Relationships;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// Consent over the real SignalR protocol: an invitation waits for the invitee, who accepts or
/// declines it; a flood of invitations from one account changes nothing of the victim's channels
/// or servers, and keeps only the newest hundred pending.
/// </summary>
public sealed class InvitationProtocolTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task An_invitation_waits_for_the_invitee_who_accepts_one_and_declines_another()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));
        await using var bobsPhone = await Cluster.ConnectAsync(0, bob.UserId);
        var first = await alice.CreateChannelAsync("first", isPrivate: true);
        var second = await alice.CreateChannelAsync("second", isPrivate: true);

        await alice.InvokeAsync("InviteToChannel", first.Id, bob.UserId);
        await alice.InvokeAsync("InviteToChannel", second.Id, bob.UserId);
        Assert.Equal(first.Id, (await bob.NextAsync<Invitation>("InvitationReceived")).ChannelId);
        Assert.Equal(first.Id, (await bobsPhone.NextAsync<Invitation>("InvitationReceived")).ChannelId);
        var pending = await bob.InvokeAsync<Invitation[]>("GetInvitations");
        Assert.Equal([second.Id, first.Id], pending.Select(i => i.ChannelId)); // newest first
        Assert.All(pending, invitation => Assert.Equal(alice.UserId, invitation.InviterId));
        // Not a member of either yet: the channels refuse him, and a new device lists the invitations.
        await Refusals.AssertHubRefusesAsync(ErrorCodes.ChannelNotFound, () => bob.SendMessageAsync(first.Id, "let me in"));
        await using var bobsTablet = await Cluster.ConnectAsync(1, bob.UserId);
        var ready = await bobsTablet.NextAsync<ReadyEvent>("Ready");
        Assert.Equal([second.Id, first.Id], ready.Invitations.Select(i => i.ChannelId));
        Assert.Empty(ready.Guilds!);

        await bob.InvokeAsync("AcceptInvitation", first.Id);
        Assert.Equal(first.Id, (await bob.NextAsync<GuildState>("GuildCreated")).Guild.Id);
        Assert.Equal(("accepted", first.Id), ((await bobsPhone.NextAsync<InvitationGoneEvent>("InvitationRemoved")).Reason, first.Id));
        Assert.Equal(1, (await bob.SendMessageAsync(first.Id, "thanks")).Seq);

        await bob.InvokeAsync("DeclineInvitation", second.Id);
        Assert.Empty(await bob.InvokeAsync<Invitation[]>("GetInvitations"));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.ChannelNotFound, () => bob.SendMessageAsync(second.Id, "no"));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvitationNotFound, () => bob.InvokeAsync("AcceptInvitation", second.Id));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvitationNotFound, () => bob.InvokeAsync("DeclineInvitation", second.Id));
    }

    [Fact]
    public async Task Accepting_checks_the_inviter_again_and_a_refused_acceptance_keeps_the_invitation()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));
        await using var carol = await Cluster.ConnectAsync(1, TestUsers.New("carol"));
        var channel = await alice.CreateChannelAsync("public");
        await carol.JoinChannelAsync(channel.Id);
        await carol.InvokeAsync("InviteToChannel", channel.Id, bob.UserId);
        await alice.InvokeAsync("BanMember", channel.Id, bob.UserId);

        // The server's ban holds at acceptance: refused, nothing joined, the invitation still there.
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Banned, () => bob.InvokeAsync("AcceptInvitation", channel.Id));
        Assert.Equal([channel.Id], (await bob.InvokeAsync<Invitation[]>("GetInvitations")).Select(i => i.ChannelId));
        Assert.True(bob.HasNo("GuildCreated"));
    }

    [Fact]
    public async Task A_ban_lifted_with_UnbanMember_lets_the_user_accept_the_invitation_that_was_refused()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));
        await using var carol = await Cluster.ConnectAsync(1, TestUsers.New("carol"));
        var channel = await alice.CreateChannelAsync("second chances", isPrivate: true);
        await alice.InvokeAsync("BanMember", channel.Id, bob.UserId);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Banned, () => alice.InvokeAsync("InviteToChannel", channel.Id, bob.UserId));
        await Invitations.InviteAsync(Cluster, alice, channel.Id, carol.UserId);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Forbidden, () => carol.InvokeAsync("UnbanMember", channel.Id, bob.UserId));

        await alice.InvokeAsync("UnbanMember", channel.Id, bob.UserId);
        await alice.InvokeAsync("UnbanMember", channel.Id, bob.UserId); // not banned: nothing changes
        await alice.InvokeAsync("InviteToChannel", channel.Id, bob.UserId);
        await bob.InvokeAsync("AcceptInvitation", channel.Id);
        Assert.Equal(channel.Id, (await bob.NextAsync<GuildState>("GuildCreated")).Guild.Id);
    }

    [Fact]
    public async Task A_flood_of_invitations_from_one_account_changes_nothing_of_the_victims_channels_and_keeps_the_newest_hundred()
    {
        await using var attacker = await Cluster.ConnectAsync(0, TestUsers.New("attacker"));
        await using var victim = await Cluster.ConnectAsync(1, TestUsers.New("victim"));
        var flood = InvitationLimits.MaxPending + 5;
        var channels = new List<string>();
        for (var i = 0; i < flood; i++)
        {
            var channel = await attacker.CreateChannelAsync($"spam {i}");
            await attacker.InvokeAsync("InviteToChannel", channel.Id, victim.UserId);
            channels.Add(channel.Id);
        }

        // Every invitation was heard, the five oldest pushed out again; none joined the victim to anything.
        var pending = await victim.InvokeAsync<Invitation[]>("GetInvitations");
        Assert.Equal(channels[^InvitationLimits.MaxPending..].AsEnumerable().Reverse(), pending.Select(i => i.ChannelId));
        await using var again = await Cluster.ConnectAsync(0, victim.UserId);
        var ready = await again.NextAsync<ReadyEvent>("Ready");
        Assert.Empty(ready.Guilds!);
        Assert.Empty(ready.Channels);
        Assert.Equal(InvitationLimits.MaxPending, ready.Invitations.Length);

        // The victim joins what they choose, with all their room.
        var own = await victim.InvokeAsync<GuildState>("CreateGuild", "mine");
        Assert.Equal("mine", own.Guild.Name);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvitationNotFound, () => victim.InvokeAsync("AcceptInvitation", channels[0]));
    }
}
