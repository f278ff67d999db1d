using Cryb.Channels;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;
using Cryb.Users;

namespace Cryb.Tests.Grains;

/// <summary>
/// Standalone channels moving into a server of their own (issue 19's upgrade) on a two-silo
/// cluster with real PostgreSQL. A channel created by this test is standalone; once its grain is
/// deactivated, it stands for a channel stored before the upgrade, and its next use moves it.
/// </summary>
public sealed class ChannelMigrationGrainTests(PreUpgradeClusterFixture fixture) : IClassFixture<PreUpgradeClusterFixture>
{
    private readonly GuildTestKit _kit = new(fixture.Client, fixture.Servers.DataSource);

    private Task<UserSession> SessionOf(Caller user) => fixture.Client.GetGrain<IUserGrain>(user.Id).Connect(user, user.Id);

    /// <summary>A channel with an owner, an admin, a member, a banned user and three messages, stored before the upgrade.</summary>
    private async Task<(IChannelGrain Channel, string Id, Caller Owner, Caller Admin, Caller Member, Caller Banned)> OldChannelAsync(bool isPrivate)
    {
        var (owner, admin, member, banned) = (_kit.User("owner"), _kit.User("admin"), _kit.User("member"), _kit.User("banned"));
        var id = Ids.NewChannelId();
        var channel = fixture.Client.GetGrain<IChannelGrain>(id);
        await channel.Create(owner, "old channel", isPrivate);
        if (isPrivate)
        {
            await channel.Invite(owner, admin.Id);
            await channel.Invite(owner, member.Id);
            await Invitations.AcceptAsync(fixture.Client, channel, admin.Id, member.Id);
        }
        else
        {
            await channel.Join(admin, null);
            await channel.Join(member, null);
        }

        await channel.SetMemberRole(owner, admin.Id, ChannelRole.Admin);
        await channel.Ban(owner, banned.Id);
        foreach (var (author, text) in new[] { (owner, "one"), (member, "two"), (admin, "three") })
        {
            await channel.SendMessage(author, new SendMessageRequest(text));
        }

        await fixture.Cluster.DeactivateAsync(channel);
        return (channel, id, owner, admin, member, banned);
    }

    [Fact]
    public async Task A_public_channel_moves_into_a_server_of_its_id_with_its_members_admins_bans_seq_and_history()
    {
        var (channel, id, owner, admin, member, banned) = await OldChannelAsync(isPrivate: false);
        Assert.Contains(id, (await SessionOf(member)).ChannelIds);

        var info = await channel.GetInfo(member); // its first use after the upgrade moves it

        Assert.Equal(id, info.GuildId);
        var server = await fixture.Client.GetGrain<IGuildGrain>(id).GetState(owner);
        Assert.Equal(("old channel", owner.Id, 3), (server.Guild.Name, server.Guild.OwnerId, server.Guild.MemberCount));
        var text = Assert.Single(server.Channels);
        Assert.Equal((id, GuildChannelType.Text, "old channel"), (text.Id, text.Type, text.Name));
        var admins = Assert.Single(server.Roles, role => role.Name == "Admins");
        Assert.Equal(Permission.StandaloneAdmin, admins.Permissions);
        Assert.Equal([admins.Id], server.Members.Single(m => m.UserId == admin.Id).RoleIds);
        Assert.Empty(server.Members.Single(m => m.UserId == member.Id).RoleIds);
        Assert.Equal(3, await _kit.CountRowsAsync("guild_members", id));
        Assert.Equal(1, await _kit.CountRowsAsync("guild_bans", id));

        // Same seq and history; the next message follows on.
        Assert.Equal(["three", "two", "one"], (await channel.GetHistory(member, null, 10)).Select(m => m.Content));
        Assert.Equal(4, (await channel.SendMessage(member, new SendMessageRequest("four"))).Seq);

        // Each member's user grain lists the server instead of the channel, and keeps the read position.
        var session = await SessionOf(member);
        Assert.DoesNotContain(id, session.ChannelIds);
        Assert.Contains(id, session.Guilds!.Select(g => g.GuildId));
        Assert.Equal([admins.Id], (await SessionOf(admin)).Guilds!.Single(g => g.GuildId == id).RoleIds);

        // The admin keeps what admins could do: delete another's message.
        var ownerMessage = (await channel.GetHistory(admin, null, 10)).Single(m => m.Content == "one");
        await channel.DeleteMessage(admin, ownerMessage.Id);

        // Open to all as the channel was: a newcomer joins by joining the channel, the banned user cannot.
        var newcomer = _kit.User("newcomer");
        var joined = await channel.Join(newcomer, sinceSeq: 3);
        Assert.Equal(id, joined.Channel.GuildId);
        Assert.Contains(joined.Missed, m => m.Content == "four");
        Assert.Equal(4, await _kit.CountRowsAsync("guild_members", id));
        Assert.Contains(id, (await SessionOf(newcomer)).Guilds!.Select(g => g.GuildId));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Banned, () => channel.Join(banned, null));

        // The channel's own membership methods keep working, through the server.
        await channel.Kick(owner, newcomer.Id);
        Assert.Equal(3, await _kit.CountRowsAsync("guild_members", id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.NotAMember, () => channel.GetMembers(newcomer)); // as the public channel told outsiders
    }

    [Fact]
    public async Task On_a_moved_private_channel_the_owner_invites_and_an_admin_kicks_and_bans_through_its_server()
    {
        var (channel, id, owner, admin, member, banned) = await OldChannelAsync(isPrivate: true);
        await channel.GetInfo(owner); // moves it
        var newcomer = _kit.User("newcomer");

        // As in the private channel: a plain member may not invite, the owner may, never a banned user.
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.Invite(member, newcomer.Id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Banned, () => channel.Invite(owner, banned.Id));
        await channel.Invite(owner, newcomer.Id);
        await Invitations.AcceptAsync(fixture.Client, channel, newcomer.Id);
        Assert.Equal(4, await _kit.CountRowsAsync("guild_members", id));
        Assert.Contains(id, (await SessionOf(newcomer)).Guilds!.Select(g => g.GuildId));
        Assert.Equal(4, (await channel.SendMessage(newcomer, new SendMessageRequest("hello"))).Seq);
        Assert.Equal(
            [(owner.Id, ChannelRole.Owner), (admin.Id, ChannelRole.Admin), (member.Id, ChannelRole.Member), (newcomer.Id, ChannelRole.Member)],
            (await channel.GetMembers(member)).Select(m => (m.UserId, m.Role)));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.GetMembers(_kit.User("outsider")));

        // Kicks and bans: a member may not, an admin may on a member, never on the owner.
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.Kick(member, newcomer.Id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.Kick(admin, owner.Id));
        await channel.Kick(admin, newcomer.Id);
        Assert.Equal(3, await _kit.CountRowsAsync("guild_members", id));
        Assert.DoesNotContain(id, (await SessionOf(newcomer)).Guilds!.Select(g => g.GuildId));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.SendMessage(newcomer, new SendMessageRequest("still here?")));

        await channel.Ban(admin, member.Id);
        Assert.Equal(2, await _kit.CountRowsAsync("guild_members", id));
        Assert.Equal(2, await _kit.CountRowsAsync("guild_bans", id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.SendMessage(member, new SendMessageRequest("let me back")));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Banned, () => channel.Invite(owner, member.Id));
        // The ban kept the member's messages, as the channel's did.
        Assert.Contains("two", (await channel.GetHistory(owner, null, 10)).Select(m => m.Content));
    }

    [Fact]
    public async Task On_a_moved_channel_SetMemberRole_gives_and_takes_the_Admins_role_making_it_when_the_channel_had_no_admins()
    {
        var (owner, member, newcomer) = (_kit.User("owner"), _kit.User("member"), _kit.User("newcomer"));
        var id = Ids.NewChannelId();
        var channel = fixture.Client.GetGrain<IChannelGrain>(id);
        await channel.Create(owner, "no admins", isPrivate: true);
        await channel.Invite(owner, member.Id);
        await Invitations.AcceptAsync(fixture.Client, channel, member.Id);
        await fixture.Cluster.DeactivateAsync(channel);
        Assert.Equal(id, (await channel.GetInfo(owner)).GuildId); // moves it
        var guild = fixture.Client.GetGrain<IGuildGrain>(id);
        Assert.DoesNotContain((await guild.GetState(owner)).Roles, role => role.Name == "Admins");

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.SetMemberRole(member, member.Id, ChannelRole.Admin));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => channel.SetMemberRole(owner, member.Id, ChannelRole.Owner));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.MemberNotFound, () => channel.SetMemberRole(owner, newcomer.Id, ChannelRole.Admin));
        await channel.SetMemberRole(owner, member.Id, ChannelRole.Admin);

        var state = await guild.GetState(owner);
        var admins = Assert.Single(state.Roles, role => role.Name == "Admins");
        Assert.Equal(Permission.StandaloneAdmin, admins.Permissions);
        Assert.Equal([admins.Id], state.Members.Single(m => m.UserId == member.Id).RoleIds);
        Assert.Equal(ChannelRole.Admin, (await channel.GetMembers(owner)).Single(m => m.UserId == member.Id).Role);
        // An admin of a private channel invites and kicks.
        await channel.Invite(member, newcomer.Id);
        await Invitations.AcceptAsync(fixture.Client, channel, newcomer.Id);
        await channel.Kick(member, newcomer.Id);

        await channel.SetMemberRole(owner, member.Id, ChannelRole.Member);
        Assert.Empty((await guild.GetState(owner)).Members.Single(m => m.UserId == member.Id).RoleIds);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.Invite(member, newcomer.Id));
        Assert.Equal([(owner.Id, ChannelRole.Owner), (member.Id, ChannelRole.Member)], (await channel.GetMembers(member)).Select(m => (m.UserId, m.Role)));
    }

    [Fact]
    public async Task A_server_made_as_a_server_still_refuses_the_channel_membership_methods_even_on_a_channel_named_after_it()
    {
        var (owner, member) = (_kit.User("owner"), _kit.User("member"));
        var (guild, created) = await _kit.GuildWithAsync(owner, member);
        var guildId = created.Guild.Id;
        await guild.CreateChannel(owner, guildId, new GuildChannelSpec("same id"));
        foreach (var channelId in new[] { created.Channels.Single().Id, guildId })
        {
            var channel = fixture.Client.GetGrain<IChannelGrain>(channelId);
            await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => channel.Invite(owner, _kit.User("outsider").Id));
            await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => channel.Kick(owner, member.Id));
            await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => channel.Ban(owner, member.Id));
            await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => channel.SetMemberRole(owner, member.Id, ChannelRole.Admin));
            await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => channel.GetMembers(owner));
        }

        Assert.Equal(2, await _kit.CountRowsAsync("guild_members", guildId));
    }

    [Fact]
    public async Task A_private_channel_moves_into_a_server_only_its_members_can_see()
    {
        var (channel, id, owner, _, member, banned) = await OldChannelAsync(isPrivate: true);

        Assert.Equal(id, (await channel.GetInfo(owner)).GuildId);

        Assert.Equal(4, (await channel.SendMessage(member, new SendMessageRequest("still here"))).Seq);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.Join(_kit.User("outsider"), null));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.Join(banned, null));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildNotFound, () => fixture.Client.GetGrain<IGuildGrain>(id).GetState(_kit.User("outsider")));
        Assert.Equal(3, await _kit.CountRowsAsync("guild_members", id));
    }

    [Fact]
    public async Task Migrating_again_changes_nothing()
    {
        var (channel, id, owner, _, member, _) = await OldChannelAsync(isPrivate: false);
        await channel.GetInfo(member);
        var before = await fixture.Client.GetGrain<IGuildGrain>(id).GetState(owner);

        // A new activation of both: nothing is left to do, and nothing is done.
        await fixture.Cluster.DeactivateAsync(channel);
        await fixture.Cluster.DeactivateAsync(fixture.Client.GetGrain<IGuildGrain>(id));
        await channel.GetInfo(member);

        var after = await fixture.Client.GetGrain<IGuildGrain>(id).GetState(owner);
        Assert.Equal(before.Guild, after.Guild);
        Assert.Equal(before.Roles, after.Roles);
        Assert.Equal(before.Channels, after.Channels);
        Assert.Equal(3, await _kit.CountRowsAsync("guild_members", id));
        Assert.Equal(1, await _kit.CountRowsAsync("guild_bans", id));
        Assert.Equal(3, (await channel.GetHistory(member, null, 10)).Count);
    }

    [Fact]
    public async Task A_move_that_stopped_after_the_server_adopted_the_channel_is_completed_by_the_next_use()
    {
        var (channel, id, owner, admin, member, _) = await OldChannelAsync(isPrivate: false);
        // The channel's own state write fails, as if its silo died right after the server adopted it.
        await using (await ChannelWriteRefusal.TakeAsync(fixture.Servers.DataSource, id))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => channel.GetInfo(member));
        }

        Assert.Equal(3, await _kit.CountRowsAsync("guild_members", id));
        Assert.Contains(id, (await SessionOf(member)).ChannelIds);

        var info = await channel.GetInfo(member);

        Assert.Equal(id, info.GuildId);
        Assert.Equal(3, await _kit.CountRowsAsync("guild_members", id));
        var session = await SessionOf(admin);
        Assert.DoesNotContain(id, session.ChannelIds);
        Assert.NotEmpty(session.Guilds!.Single(g => g.GuildId == id).RoleIds);
        Assert.Equal(3, (await fixture.Client.GetGrain<IGuildGrain>(id).GetState(owner)).Guild.MemberCount);
        Assert.Equal(4, (await channel.SendMessage(member, new SendMessageRequest("after"))).Seq);
    }

    [Fact]
    public async Task Direct_messages_and_channels_created_in_this_activation_stay_as_they_are()
    {
        var (alice, bob) = (_kit.User("alice"), _kit.User("bob"));
        var direct = fixture.Client.GetGrain<IChannelGrain>(DirectMessages.ChannelId(alice.Id, bob.Id));
        await DirectMessagePrivacy.OpenToEveryoneAsync(fixture.Client, bob.Id);
        await direct.OpenDirect(alice, bob.Id);
        await fixture.Cluster.DeactivateAsync(direct);

        Assert.Null((await direct.GetInfo(alice)).GuildId);

        var fresh = fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());
        await fresh.Create(alice, "new", isPrivate: false);
        await fresh.Invite(alice, bob.Id); // a standalone channel's methods work until its next activation
        await Invitations.AcceptAsync(fixture.Client, fresh, bob.Id);
        Assert.Null((await fresh.GetInfo(bob)).GuildId);
    }

    [Fact]
    public async Task The_migration_methods_are_refused_from_clients_and_the_sweep_needs_its_grant()
    {
        var id = Ids.NewChannelId();
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => fixture.Client.GetGrain<IChannelGrain>(id).MigrateToGuild());
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => fixture.Client.GetGrain<IGuildGrain>(id).JoinOpen("someone"));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Unauthenticated, () => fixture.Client.GetGrain<IGuildGrain>(id)
            .AdoptStandaloneChannel(new StandaloneChannel(id, "x", "", false, "someone", DateTimeOffset.UtcNow, ["someone"], [], [])));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => fixture.Client.GetGrain<IChannelSweepGrain>(0).GetProgress(TestAccounts.Archiver));
    }
}
