using Cryb.Channels;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;
using Cryb.Users;

namespace Cryb.Tests.Grains;

/// <summary>
/// <c>Create</c> on a channel grain (the hub's <c>CreateChannel</c> without a server) makes a server
/// of its own with the channel's id, as the upgrade makes one of a standalone channel: the creator
/// owns it, a public one is open to all, and the channel's membership methods act on it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ChannelWithoutServerGrainTests(ClusterFixture fixture)
{
    private readonly GuildTestKit _kit = new(fixture.Client, fixture.Servers.DataSource);

    private Task<UserSession> SessionOf(Caller user) => fixture.Client.GetGrain<IUserGrain>(user.Id).Connect(user, user.Id);

    [Fact]
    public async Task A_public_channel_created_without_a_server_is_a_server_of_its_own_that_a_joiner_becomes_a_member_of()
    {
        var (owner, joiner) = (_kit.User("owner"), _kit.User("joiner"));
        var id = Ids.NewChannelId();
        var channel = fixture.Client.GetGrain<IChannelGrain>(id);

        var created = await channel.Create(owner, "lobby", isPrivate: false);

        Assert.Equal((id, owner.Id, false), (created.GuildId, created.OwnerId, created.IsPrivate));
        var guild = fixture.Client.GetGrain<IGuildGrain>(id);
        var server = await guild.GetState(owner);
        Assert.Equal(("lobby", owner.Id, 1), (server.Guild.Name, server.Guild.OwnerId, server.Guild.MemberCount));
        var text = Assert.Single(server.Channels);
        Assert.Equal((id, GuildChannelType.Text, "lobby"), (text.Id, text.Type, text.Name));
        Assert.Equal([id], server.Roles.Select(role => role.Id)); // @everyone only: no admins yet
        Assert.Equal(1, await _kit.CountRowsAsync("guild_members", id));
        var ownerSession = await SessionOf(owner);
        Assert.Contains(id, ownerSession.Guilds!.Select(g => g.GuildId));
        Assert.DoesNotContain(id, ownerSession.ChannelIds);

        // Open to all: joining the channel makes a member of the server, no invite needed.
        var joined = await channel.Join(joiner, null);
        Assert.Equal(id, joined.Channel.GuildId);
        Assert.Equal(2, await _kit.CountRowsAsync("guild_members", id));
        Assert.Contains(id, (await SessionOf(joiner)).Guilds!.Select(g => g.GuildId));
        Assert.Equal(1, (await channel.SendMessage(joiner, new SendMessageRequest("hi"))).Seq);
        Assert.Equal(
            [(owner.Id, ChannelRole.Owner), (joiner.Id, ChannelRole.Member)],
            (await channel.GetMembers(joiner)).Select(m => (m.UserId, m.Role)));

        // The creator manages it: names an admin (the "Admins" role the upgrade gives), renames the
        // channel as the server's, and kicks.
        await channel.SetMemberRole(owner, joiner.Id, ChannelRole.Admin);
        var admins = Assert.Single((await guild.GetState(owner)).Roles, role => role.Name == "Admins");
        Assert.Equal(Permission.StandaloneAdmin, admins.Permissions);
        Assert.Equal(ChannelRole.Admin, (await channel.GetMembers(owner)).Single(m => m.UserId == joiner.Id).Role);
        await guild.UpdateChannel(owner, id, new GuildChannelSpec("renamed"));
        Assert.Equal("renamed", (await channel.GetInfo(joiner)).Name);
        await channel.Kick(owner, joiner.Id);
        Assert.Equal(1, await _kit.CountRowsAsync("guild_members", id));
        Assert.DoesNotContain(id, (await SessionOf(joiner)).Guilds!.Select(g => g.GuildId));
    }

    [Fact]
    public async Task A_private_channel_created_without_a_server_is_a_server_only_invited_members_see()
    {
        var (owner, member, outsider) = (_kit.User("owner"), _kit.User("member"), _kit.User("outsider"));
        var id = Ids.NewChannelId();
        var channel = fixture.Client.GetGrain<IChannelGrain>(id);

        var created = await channel.Create(owner, "secret", isPrivate: true);

        Assert.Equal((id, true), (created.GuildId, created.IsPrivate));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.Join(outsider, null));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildNotFound, () => fixture.Client.GetGrain<IGuildGrain>(id).GetState(outsider));
        await channel.Invite(owner, member.Id);
        await Invitations.AcceptAsync(fixture.Client, channel, member.Id);
        Assert.Equal(2, await _kit.CountRowsAsync("guild_members", id));
        Assert.Equal(1, (await channel.SendMessage(member, new SendMessageRequest("in"))).Seq);
        // As a moved private channel: a plain member does not invite, and the server's invites are how others come in.
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.Invite(member, outsider.Id));
        var invite = await fixture.Client.GetGrain<IGuildGrain>(id).CreateInvite(member, 0, 0);
        await _kit.Invites.Join(outsider, invite.Code);
        Assert.Equal(3, await _kit.CountRowsAsync("guild_members", id));
    }

    [Fact]
    public async Task A_create_that_stopped_after_the_server_adopted_the_channel_is_completed_by_the_next_use()
    {
        var owner = _kit.User("owner");
        var id = Ids.NewChannelId();
        var channel = fixture.Client.GetGrain<IChannelGrain>(id);

        // The channel's first write (an insert) passes; its write of the server it moved into fails,
        // as if its silo died right after the server adopted it.
        await using (await ChannelWriteRefusal.TakeAsync(fixture.Servers.DataSource, id))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => channel.Create(owner, "half made", isPrivate: false));
        }

        Assert.Equal(1, await _kit.CountRowsAsync("guild_members", id));
        Assert.DoesNotContain(id, (await SessionOf(owner)).Guilds!.Select(g => g.GuildId));

        var info = await channel.GetInfo(owner);

        Assert.Equal(id, info.GuildId);
        Assert.Contains(id, (await SessionOf(owner)).Guilds!.Select(g => g.GuildId));
        Assert.Equal(1, (await fixture.Client.GetGrain<IGuildGrain>(id).GetState(owner)).Guild.MemberCount);
        Assert.Equal(1, (await channel.SendMessage(owner, new SendMessageRequest("after"))).Seq);
    }
}
