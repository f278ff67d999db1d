using Cryb.Channels;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;
using Cryb.Users;

namespace Cryb.Tests.Grains;

/// <summary>
/// Roles, invitations, kicks, bans, leaving, updates, deletion and direct messages, in the channel
/// grain. A channel created without a server is a server of its own (same id): the channel's
/// membership methods act on that server, and its settings and deletion are the server's.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MembershipGrainTests(ClusterFixture fixture)
{
    private static readonly Caller Owner = TestAccounts.User("owner");
    private static readonly Caller Admin = TestAccounts.User("admin");
    private static readonly Caller Member = TestAccounts.User("member");
    private static readonly Caller Outsider = TestAccounts.User("outsider");

    private IChannelGrain NewChannel() => fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());

    private IGuildGrain ServerOf(IChannelGrain channel) => fixture.Client.GetGrain<IGuildGrain>(channel.GetPrimaryKeyString());

    /// <summary>A public channel with an owner, an admin and a member.</summary>
    private async Task<IChannelGrain> StaffedChannelAsync(bool isPrivate = false)
    {
        var channel = NewChannel();
        await channel.Create(Owner, "staffed", isPrivate);
        await channel.Invite(Owner, Admin.Id);
        await channel.Invite(Owner, Member.Id);
        await Invitations.AcceptAsync(fixture.Client, channel, Admin.Id, Member.Id);
        await channel.SetMemberRole(Owner, Admin.Id, ChannelRole.Admin);
        return channel;
    }

    [Fact]
    public async Task Members_are_listed_with_their_roles()
    {
        var channel = await StaffedChannelAsync();

        var members = await channel.GetMembers(Member);

        Assert.Equal(
            [new ChannelMember("owner", ChannelRole.Owner), new ChannelMember("admin", ChannelRole.Admin), new ChannelMember("member", ChannelRole.Member)],
            members);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.NotAMember, () => channel.GetMembers(Outsider));
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_invites_to_a_private_channel()
    {
        var channel = await StaffedChannelAsync(isPrivate: true);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.Invite(Member, "friend"));
        await channel.Invite(Admin, "friend");
        await Invitations.AcceptAsync(fixture.Client, channel, "friend");

        Assert.Contains(await channel.GetMembers(Owner), m => m.UserId == "friend");
        // The friend is a member of the channel's server, which their user grain lists (not the channel).
        var session = await fixture.Client.GetGrain<IUserGrain>("friend").Connect(TestAccounts.User("friend"), "Friend");
        Assert.Contains(session.Guilds!, g => g.GuildId == channel.GetPrimaryKeyString());
        Assert.DoesNotContain(channel.GetPrimaryKeyString(), session.ChannelIds);
    }

    [Fact]
    public async Task Only_the_owner_sets_roles()
    {
        var channel = await StaffedChannelAsync();

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.SetMemberRole(Admin, Member.Id, ChannelRole.Admin));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => channel.SetMemberRole(Owner, Member.Id, ChannelRole.Owner));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.MemberNotFound, () => channel.SetMemberRole(Owner, Outsider.Id, ChannelRole.Admin));
        await channel.SetMemberRole(Owner, Member.Id, ChannelRole.Admin);

        Assert.Equal(ChannelRole.Admin, (await channel.GetMembers(Owner)).Single(m => m.UserId == "member").Role);
    }

    [Fact]
    public async Task Admins_kick_members_but_not_each_other_or_the_owner()
    {
        var channel = await StaffedChannelAsync();

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.Kick(Member, Admin.Id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.Kick(Admin, Owner.Id));
        await channel.Kick(Admin, Member.Id);

        // Kicked out of the server: its channel is out of sight, as any server channel.
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.SendMessage(Member, new SendMessageRequest("still here?")));
        // A kicked member of a public channel may come back.
        await channel.Join(Member, null);
    }

    [Fact]
    public async Task A_banned_user_cannot_rejoin_or_be_invited()
    {
        var channel = await StaffedChannelAsync();

        await channel.Ban(Admin, Member.Id);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Banned, () => channel.Join(Member, null));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Banned, () => channel.Invite(Owner, Member.Id));
        Assert.DoesNotContain(await channel.GetMembers(Owner), m => m.UserId == "member");
        Assert.DoesNotContain((await fixture.Client.GetGrain<IUserGrain>("member").Connect(Member, "Member")).ChannelIds,
            id => id == channel.GetPrimaryKeyString());
    }

    [Fact]
    public async Task Members_leave_its_server_but_the_owner_cannot()
    {
        var channel = await StaffedChannelAsync();

        // The channel grain's own Leave names the server's (the hub's LeaveChannel makes the switch).
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => channel.Leave(Member));
        await ServerOf(channel).Leave(Member);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.OwnerCannotLeave, () => ServerOf(channel).Leave(Owner));

        Assert.Equal(["owner", "admin"], (await channel.GetMembers(Owner)).Select(m => m.UserId));
    }

    [Fact]
    public async Task Admins_update_name_and_topic_through_the_server_members_cannot()
    {
        var channel = await StaffedChannelAsync();
        var channelId = channel.GetPrimaryKeyString();

        // Settings are the server's: the channel's own Update names the server's method, even for its owner.
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => channel.Update(Owner, "renamed", null));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => ServerOf(channel).UpdateChannel(Member, channelId, new GuildChannelSpec("mine now")));
        var updated = await ServerOf(channel).UpdateChannel(Admin, channelId, new GuildChannelSpec(" renamed ", Topic: "what we talk about"));

        Assert.Equal(("renamed", "what we talk about"), (updated.Name, updated.Topic));
        var info = await channel.GetInfo(Member);
        Assert.Equal(("renamed", "what we talk about", channelId), (info.Name, info.Topic, info.GuildId));
    }

    [Fact]
    public async Task Deleting_a_channel_is_deleting_its_server_for_the_owner_and_takes_the_history()
    {
        var channel = await StaffedChannelAsync();
        var channelId = channel.GetPrimaryKeyString();
        await channel.SendMessage(Member, new SendMessageRequest("soon gone"));

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => channel.Delete(Owner));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => ServerOf(channel).Delete(Admin));
        await ServerOf(channel).Delete(Owner);

        Assert.Equal(0, await fixture.Servers.CountMessagesAsync(channelId));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.GetHistory(Owner, null, 10));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelExists, () => channel.Create(Owner, "again", false));
    }

    [Fact]
    public async Task The_same_pair_always_gets_the_same_private_direct_channel()
    {
        var alice = TestAccounts.User("dm-alice-" + Guid.NewGuid().ToString("N")[..8]);
        var bob = TestAccounts.User("dm-bob-" + Guid.NewGuid().ToString("N")[..8]);
        var id = DirectMessages.ChannelId(alice.Id, bob.Id);

        await DirectMessagePrivacy.OpenToEveryoneAsync(fixture.Client, bob.Id);
        var opened = await fixture.Client.GetGrain<IChannelGrain>(id).OpenDirect(alice, bob.Id);
        var reopened = await fixture.Client.GetGrain<IChannelGrain>(DirectMessages.ChannelId(bob.Id, alice.Id)).OpenDirect(bob, alice.Id);

        Assert.Equal(opened, reopened);
        Assert.True(opened is { IsPrivate: true, IsDirect: true });
        Assert.Equal(2, (await fixture.Client.GetGrain<IChannelGrain>(id).GetMembers(bob)).Count);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => fixture.Client.GetGrain<IChannelGrain>(id).Join(Outsider, null));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => fixture.Client.GetGrain<IChannelGrain>(id).OpenDirect(Outsider, bob.Id));
    }
}
