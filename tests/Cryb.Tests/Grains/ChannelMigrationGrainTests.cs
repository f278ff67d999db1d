using Cryb.Channels;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;
using Cryb.Users;

namespace Cryb.Tests.Grains;

/// <summary>
/// Standalone channels moving into a server of their own (issue 19's upgrade) on the two-silo
/// cluster with real PostgreSQL. A channel created by this test is standalone; once its grain is
/// deactivated, it stands for a channel stored before the upgrade, and its next use moves it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ChannelMigrationGrainTests(ClusterFixture fixture)
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

        // Channel-level membership is the server's now.
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => channel.Kick(owner, member.Id));
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
        await direct.OpenDirect(alice, bob.Id);
        await fixture.Cluster.DeactivateAsync(direct);

        Assert.Null((await direct.GetInfo(alice)).GuildId);

        var fresh = fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());
        await fresh.Create(alice, "new", isPrivate: false);
        await fresh.Invite(alice, bob.Id); // a standalone channel's methods work until its next activation
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
