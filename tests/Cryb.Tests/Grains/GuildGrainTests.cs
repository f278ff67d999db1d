using Cryb.Channels;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;
using Cryb.Users;

namespace Cryb.Tests.Grains;

/// <summary>
/// The server's grain on the two-silo cluster with real PostgreSQL: its structure, roles and
/// hierarchy, channels and their grains, invites, joins, bans, kicks and member queries.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GuildGrainTests(ClusterFixture fixture)
{
    private readonly GuildTestKit _kit = new(fixture.Client, fixture.Servers.DataSource);

    private Task<UserSession> SessionOf(Caller user) => fixture.Client.GetGrain<IUserGrain>(user.Id).Connect(user, user.Id);

    [Fact]
    public async Task Create_makes_the_creator_owner_and_only_member_with_everyone_and_a_general_text_channel_attached()
    {
        var owner = _kit.User("owner");
        var guild = _kit.NewGuild();
        var guildId = guild.GetPrimaryKeyString();

        var created = await guild.Create(owner, "  The Lounge ");

        Assert.Equal("The Lounge", created.Guild.Name);
        Assert.Equal(owner.Id, created.Guild.OwnerId);
        Assert.Equal(1, created.Guild.MemberCount);
        Assert.Equal([new GuildRole(guildId, "@everyone", Permission.EveryoneDefault, 0, false)], created.Roles);
        var general = Assert.Single(created.Channels);
        Assert.Equal(("general", GuildChannelType.Text), (general.Name, general.Type));
        Assert.Equal(owner.Id, Assert.Single(created.Members).UserId);
        Assert.Equal(1, await _kit.CountRowsAsync("guild_members", guildId));
        Assert.Contains(guildId, (await SessionOf(owner)).Guilds!.Select(g => g.GuildId));

        // The text channel is a channel grain of the server: the owner sends there.
        var channel = fixture.Client.GetGrain<IChannelGrain>(general.Id);
        Assert.Equal(guildId, (await channel.GetInfo(owner)).GuildId);
        await channel.SendMessage(owner, new SendMessageRequest("hello"));

        // A retry of the create is the same server; another creator is refused.
        Assert.Equal(created.Guild.Id, (await guild.Create(owner, "The Lounge")).Guild.Id);
        Assert.Equal(1, await _kit.CountRowsAsync("guild_members", guildId));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => guild.Create(_kit.User("other"), "mine"));
    }

    [Fact]
    public async Task Update_needs_manage_server_and_outsiders_see_no_server()
    {
        var (owner, member, outsider) = (_kit.User("owner"), _kit.User("member"), _kit.User("outsider"));
        var (guild, _) = await _kit.GuildWithAsync(owner, member);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.Update(member, "mine now"));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildNotFound, () => guild.Update(outsider, "mine now"));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildNotFound, () => guild.GetState(outsider));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => guild.Update(owner, new string('x', GuildLimits.MaxNameLength + 1)));
        var before = (await guild.GetState(member)).Guild.Version;
        var updated = await guild.Update(owner, "renamed");

        Assert.Equal("renamed", (await guild.GetState(member)).Guild.Name);
        Assert.True(updated.Version > before);
    }

    [Fact]
    public async Task Ownership_moves_to_a_member_and_then_the_new_owner_cannot_leave_while_the_old_one_can()
    {
        var (owner, member) = (_kit.User("owner"), _kit.User("member"));
        var (guild, created) = await _kit.GuildWithAsync(owner, member);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.TransferOwnership(member, member.Id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.MemberNotFound, () => guild.TransferOwnership(owner, _kit.User("stranger").Id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.OwnerCannotLeave, () => guild.Leave(owner));
        var info = await guild.TransferOwnership(owner, member.Id);

        Assert.Equal(member.Id, info.OwnerId);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.OwnerCannotLeave, () => guild.Leave(member));
        await guild.Leave(owner);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildNotFound, () => guild.GetState(owner));
        // The text channel follows the server's owner.
        Assert.Equal(member.Id, (await fixture.Client.GetGrain<IChannelGrain>(created.Channels[0].Id).GetInfo(member)).OwnerId);
    }

    [Fact]
    public async Task Delete_is_the_owners_and_removes_rows_channels_and_every_members_membership()
    {
        var (owner, member) = (_kit.User("owner"), _kit.User("member"));
        var (guild, created) = await _kit.GuildWithAsync(owner, member);
        var guildId = guild.GetPrimaryKeyString();
        await guild.CreateInvite(owner, 0, 0);
        var channel = fixture.Client.GetGrain<IChannelGrain>(created.Channels[0].Id);
        await channel.SendMessage(member, new SendMessageRequest("soon gone"));

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.Delete(member));
        await guild.Delete(owner);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildNotFound, () => guild.GetState(owner));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.GetInfo(owner));
        Assert.Equal(0, await _kit.CountRowsAsync("guild_members", guildId));
        Assert.Equal(0, await _kit.CountRowsAsync("guild_invites", guildId));
        Assert.DoesNotContain(guildId, (await SessionOf(member)).Guilds!.Select(g => g.GuildId));
        Assert.DoesNotContain(guildId, (await SessionOf(owner)).Guilds!.Select(g => g.GuildId));
        Assert.Null(await guild.GetView(TestAccounts.Gateway));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => guild.Create(owner, "again"));
    }

    [Fact]
    public async Task Roles_follow_the_hierarchy_and_a_member_cannot_grant_what_they_lack()
    {
        var (owner, mod, member) = (_kit.User("owner"), _kit.User("mod"), _kit.User("member"));
        var (guild, _) = await _kit.GuildWithAsync(owner, mod, member);
        var helpers = await guild.CreateRole(owner, new RoleSpec("helpers", Permission.KickMembers));
        var mods = await guild.CreateRole(owner, new RoleSpec("mods", Permission.ManageRoles | Permission.KickMembers, Position: 2));
        await guild.AddMemberRole(owner, mod.Id, mods.Id);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.CreateRole(mod, new RoleSpec("admins", Permission.Administrator)));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.CreateRole(mod, new RoleSpec("peers", 0, Position: 2)));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.UpdateRole(mod, mods.Id, new RoleSpec(Permissions: Permission.All)));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.UpdateRole(mod, helpers.Id, new RoleSpec(Permissions: Permission.BanMembers)));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.DeleteRole(mod, mods.Id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.AddMemberRole(mod, member.Id, mods.Id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.CreateRole(member, new RoleSpec("mine")));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.RoleNotFound, () => guild.AddMemberRole(owner, member.Id, "no-such-role"));

        var given = await guild.AddMemberRole(mod, member.Id, helpers.Id);
        Assert.Equal([helpers.Id], given.RoleIds);
        Assert.Equal([helpers.Id], (await guild.QueryMembers(owner, null, [member.Id], 10)).Members.Single().RoleIds);
        Assert.Equal([helpers.Id], (await SessionOf(member)).Guilds!.Single(g => g.GuildId == guild.GetPrimaryKeyString()).RoleIds);

        var roles = (await guild.GetState(owner)).Roles;
        Assert.Equal([(mods.Id, 2), (helpers.Id, 1), (guild.GetPrimaryKeyString(), 0)], roles.Select(r => (r.Id, r.Position)));

        await guild.DeleteRole(mod, helpers.Id);
        Assert.Empty((await guild.QueryMembers(owner, null, [member.Id], 10)).Members.Single().RoleIds);
        Assert.Equal(1, (await guild.GetState(owner)).Roles.Single(r => r.Id == mods.Id).Position);
    }

    [Fact]
    public async Task Channels_are_created_updated_moved_and_deleted_with_their_overwrites_stored()
    {
        var (owner, member) = (_kit.User("owner"), _kit.User("member"));
        var (guild, _) = await _kit.GuildWithAsync(owner, member);
        var categoryId = Ids.NewChannelId();
        var staffId = Ids.NewChannelId();
        await guild.CreateChannel(owner, categoryId, new GuildChannelSpec("Staff", GuildChannelType.Category));
        var hidden = new PermissionOverwrite(guild.GetPrimaryKeyString(), OverwriteKind.Role, 0, Permission.ViewChannel);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.CreateChannel(member, staffId, new GuildChannelSpec("staff")));
        var staff = await guild.CreateChannel(owner, staffId, new GuildChannelSpec("staff", ParentId: categoryId, Overwrites: [hidden]));
        // A retry with the same id and spec is the same channel.
        Assert.Equivalent(staff, await guild.CreateChannel(owner, staffId, new GuildChannelSpec("staff", ParentId: categoryId, Overwrites: [hidden])), strict: true);
        Assert.Equal(2, (await guild.GetView(TestAccounts.Gateway))!.Channels.Count(c => c.Id == staffId || c.Id == categoryId));

        Assert.Equal([hidden], (await guild.GetView(TestAccounts.Gateway))!.Channels.Single(c => c.Id == staffId).Overwrites);
        Assert.DoesNotContain(staffId, (await guild.GetState(member)).Channels.Select(c => c.Id));
        Assert.Contains(staffId, (await guild.GetState(owner)).Channels.Select(c => c.Id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound,
            () => fixture.Client.GetGrain<IChannelGrain>(staffId).GetHistory(member, null, 10));

        var memberOwn = new PermissionOverwrite(member.Id, OverwriteKind.Member, Permission.ViewChannel, 0);
        var updated = await guild.UpdateChannel(owner, staffId, new GuildChannelSpec(Topic: "for staff", Overwrites: [hidden, memberOwn]));
        Assert.Equal("for staff", updated.Topic);
        Assert.Contains(staffId, (await guild.GetState(member)).Channels.Select(c => c.Id));
        await fixture.Client.GetGrain<IChannelGrain>(staffId).GetHistory(member, null, 10);

        var moved = await guild.MoveChannel(owner, staffId, 0, null);
        Assert.Null(moved.ParentId);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidArgument, () => guild.MoveChannel(owner, categoryId, 0, categoryId));

        await guild.DeleteChannel(owner, staffId);
        Assert.DoesNotContain(staffId, (await guild.GetView(TestAccounts.Gateway))!.Channels.Select(c => c.Id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => fixture.Client.GetGrain<IChannelGrain>(staffId).GetInfo(owner));
    }

    [Fact]
    public async Task Overwrites_need_manage_roles_on_top_of_manage_channels()
    {
        var (owner, keeper) = (_kit.User("owner"), _kit.User("keeper"));
        var (guild, created) = await _kit.GuildWithAsync(owner, keeper);
        var keepers = await guild.CreateRole(owner, new RoleSpec("keepers", Permission.ManageChannels));
        await guild.AddMemberRole(owner, keeper.Id, keepers.Id);
        var generalId = created.Channels[0].Id;
        var hidden = new PermissionOverwrite(guild.GetPrimaryKeyString(), OverwriteKind.Role, 0, Permission.ViewChannel);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.UpdateChannel(keeper, generalId, new GuildChannelSpec(Overwrites: [hidden])));
        Assert.Equal("lobby", (await guild.UpdateChannel(keeper, generalId, new GuildChannelSpec("lobby"))).Name);
        Assert.Empty((await guild.GetView(TestAccounts.Gateway))!.Channels.Single(c => c.Id == generalId).Overwrites);
        // The channel's grain got the new name from the server.
        Assert.Equal("lobby", (await fixture.Client.GetGrain<IChannelGrain>(generalId).GetInfo(owner)).Name);
    }

    [Fact]
    public async Task Joining_writes_one_member_row_and_counts_one_use_and_joining_again_changes_nothing()
    {
        var (owner, joiner) = (_kit.User("owner"), _kit.User("joiner"));
        var (guild, _) = await _kit.GuildWithAsync(owner);
        var guildId = guild.GetPrimaryKeyString();
        var invite = await guild.CreateInvite(owner, 5, 0);
        var preview = await _kit.Invites.Get(joiner, invite.Code);
        Assert.Equal(("server", 1, guildId), (preview.GuildName, preview.MemberCount, preview.GuildId));

        var rowsBefore = await _kit.CountRowsAsync("guild_members", guildId);
        var state = await _kit.Invites.Join(joiner, invite.Code);

        Assert.Equal(rowsBefore + 1, await _kit.CountRowsAsync("guild_members", guildId));
        Assert.Equal(1, await _kit.InviteUsesAsync(invite.Code));
        Assert.Equal(2, state.Guild.MemberCount);
        Assert.Equal(joiner.Id, state.Member.UserId);
        Assert.Equal(joiner.Id, (await guild.QueryMembers(owner, joiner.Id[..4], null, 10)).Members.Single().Name);
        Assert.Contains(guildId, (await SessionOf(joiner)).Guilds!.Select(g => g.GuildId));

        await _kit.Invites.Join(joiner, invite.Code);
        Assert.Equal(rowsBefore + 1, await _kit.CountRowsAsync("guild_members", guildId));
        Assert.Equal(1, await _kit.InviteUsesAsync(invite.Code));

        // An invite without a limit counts nothing: the join writes the member row only.
        var open = await guild.CreateInvite(owner, 0, 0);
        await _kit.Invites.Join(_kit.User("second"), open.Code);
        Assert.Equal(rowsBefore + 2, await _kit.CountRowsAsync("guild_members", guildId));
        Assert.Equal(0, await _kit.InviteUsesAsync(open.Code));
    }

    [Fact]
    public async Task An_invite_used_up_or_revoked_or_unknown_is_invite_invalid()
    {
        var (owner, first, second) = (_kit.User("owner"), _kit.User("first"), _kit.User("second"));
        var (guild, _) = await _kit.GuildWithAsync(owner);
        var once = await guild.CreateInvite(owner, 1, 0);
        var revoked = await guild.CreateInvite(owner, 0, 0);

        await _kit.Invites.Join(first, once.Code);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InviteInvalid, () => _kit.Invites.Join(second, once.Code));
        // Straight to the server's grain, past the invites grain's check: the store refuses too.
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InviteInvalid, () => guild.Join(second, once.Code));
        Assert.Equal(1, await _kit.InviteUsesAsync(once.Code));

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.RevokeInvite(first, revoked.Code));
        await guild.RevokeInvite(owner, revoked.Code);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InviteInvalid, () => _kit.Invites.Join(second, revoked.Code));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InviteInvalid, () => guild.Join(second, revoked.Code));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InviteInvalid, () => _kit.Invites.Join(second, "0123456789"));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InviteInvalid, () => _kit.Invites.Get(second, "not a code"));
        Assert.Empty(await guild.GetInvites(owner));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildNotFound, () => guild.GetState(second));
    }

    [Fact]
    public async Task A_ban_removes_the_member_refuses_their_joins_until_unbanned_and_deletes_their_recent_messages()
    {
        var (owner, troll) = (_kit.User("owner"), _kit.User("troll"));
        var (guild, created) = await _kit.GuildWithAsync(owner, troll);
        var guildId = guild.GetPrimaryKeyString();
        var channel = fixture.Client.GetGrain<IChannelGrain>(created.Channels[0].Id);
        var spam = await channel.SendMessage(troll, new SendMessageRequest("spam"));
        var invite = await guild.CreateInvite(owner, 0, 0);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.Ban(troll, owner.Id, 0, null));
        await guild.Ban(owner, troll.Id, 3600, "spam");

        Assert.Empty((await guild.QueryMembers(owner, null, [troll.Id], 10)).Members);
        Assert.DoesNotContain(guildId, (await SessionOf(troll)).Guilds!.Select(g => g.GuildId));
        Assert.DoesNotContain(spam.Id, (await channel.GetHistory(owner, null, 10)).Select(m => m.Id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.SendMessage(troll, new SendMessageRequest("again")));
        Assert.Equal((troll.Id, owner.Id, "spam"), (await guild.GetBans(owner, null)).Select(b => (b.UserId, b.BannedBy, b.Reason)).Single());
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Banned, () => _kit.Invites.Join(troll, invite.Code));

        await guild.Unban(owner, troll.Id);
        await _kit.Invites.Join(troll, invite.Code);
        await channel.SendMessage(troll, new SendMessageRequest("sorry"));
    }

    [Fact]
    public async Task A_kick_removes_a_lower_member_who_may_join_again_and_leaving_removes_ones_own_row()
    {
        var (owner, helper, member) = (_kit.User("owner"), _kit.User("helper"), _kit.User("member"));
        var (guild, _) = await _kit.GuildWithAsync(owner, helper, member);
        var guildId = guild.GetPrimaryKeyString();
        var helpers = await guild.CreateRole(owner, new RoleSpec("helpers", Permission.KickMembers));
        await guild.AddMemberRole(owner, helper.Id, helpers.Id);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.Kick(member, helper.Id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.Kick(helper, owner.Id));
        await guild.Kick(helper, member.Id);

        Assert.Equal(3 - 1, (await guild.GetState(owner)).Guild.MemberCount);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildNotFound, () => guild.GetState(member));
        Assert.DoesNotContain(guildId, (await SessionOf(member)).Guilds!.Select(g => g.GuildId));
        await _kit.Invites.Join(member, (await guild.CreateInvite(owner, 0, 0)).Code);

        await guild.Leave(helper);
        Assert.Equal(2, await _kit.CountRowsAsync("guild_members", guildId));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildNotFound, () => guild.GetState(helper));
    }

    [Fact]
    public async Task Members_are_queried_by_name_prefix_case_insensitively_or_by_ids_with_those_not_found()
    {
        var owner = _kit.User("owner");
        var (alice, alina, bob) = (_kit.User("alice"), _kit.User("alina"), _kit.User("bob"));
        foreach (var (user, name) in new[] { (alice, "Alice"), (alina, "alina"), (bob, "Bob_") })
        {
            await fixture.Client.GetGrain<IUserGrain>(user.Id).Connect(user, name);
        }

        var (guild, _) = await _kit.GuildWithAsync(owner, alice, alina, bob);
        await guild.SetNickname(owner, bob.Id, "Alfred");

        var byPrefix = await guild.QueryMembers(alice, "AL", null, 10);
        Assert.Equal(["Alfred", "Alice", "alina"], byPrefix.Members.Select(m => m.Name));
        Assert.Equal(["Alice"], (await guild.QueryMembers(alice, "ali", null, 1)).Members.Select(m => m.Name));
        Assert.Empty((await guild.QueryMembers(alice, "a%", null, 10)).Members);

        var byIds = await guild.QueryMembers(alice, null, [alice.Id, bob.Id, "nobody"], 10);
        Assert.Equal([alice.Id, bob.Id], byIds.Members.Select(m => m.UserId).Order(StringComparer.Ordinal));
        Assert.Equal(["nobody"], byIds.NotFound);
        Assert.Equal(4, byIds.MemberCount);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildNotFound, () => guild.QueryMembers(_kit.User("outsider"), "a", null, 10));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.SetNickname(alice, bob.Id, "Bobby"));
    }

    [Fact]
    public async Task A_service_imports_members_in_bulk_skipping_members_and_banned_users_and_users_may_not()
    {
        var (owner, member, banned) = (_kit.User("owner"), _kit.User("member"), _kit.User("banned"));
        var (guild, _) = await _kit.GuildWithAsync(owner, member);
        var guildId = guild.GetPrimaryKeyString();
        await guild.Ban(owner, banned.Id, 0, null);
        var imported = Enumerable.Range(0, 50).Select(i => _kit.User($"imported{i}").Id).ToArray();

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.ImportMembers(owner, imported));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.ImportMembers(Caller.Service(TestAccounts.Archiver), imported));
        var added = await guild.ImportMembers(Caller.Service(TestAccounts.WelcomeBot), [.. imported, member.Id, banned.Id, imported[0]]);

        Assert.Equal(50, added);
        Assert.Equal(52, await _kit.CountRowsAsync("guild_members", guildId));
        Assert.Equal(52, (await guild.GetState(owner)).Guild.MemberCount);
        Assert.Equal([banned.Id], (await guild.QueryMembers(owner, null, [banned.Id], 10)).NotFound);
        // Each imported user's own server list has it, as after a join: their next Ready shows it.
        Assert.All(await Task.WhenAll(imported.Take(5).Select(id => SessionOf(TestAccounts.User(id)))),
            session => Assert.Contains(guildId, session.Guilds!.Select(g => g.GuildId)));
        Assert.DoesNotContain(guildId, (await SessionOf(banned)).Guilds!.Select(g => g.GuildId));
    }

    [Fact]
    public async Task A_bot_joins_with_an_invite_and_acts_within_the_role_it_is_given()
    {
        var (owner, spammer) = (_kit.User("owner"), _kit.User("spammer"));
        var (guild, created) = await _kit.GuildWithAsync(owner, spammer);
        var bot = Caller.Service(TestAccounts.WelcomeBot);
        var channel = fixture.Client.GetGrain<IChannelGrain>(created.Channels[0].Id);
        var spam = await channel.SendMessage(spammer, new SendMessageRequest("buy now"));

        var joined = await _kit.Invites.Join(bot, (await guild.CreateInvite(owner, 0, 0)).Code);
        Assert.Equal(bot.MemberId, joined.Member.UserId);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.Kick(bot, spammer.Id));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.DeleteMessage(bot, spam.Id));

        var moderators = await guild.CreateRole(owner, new RoleSpec("moderators", Permission.KickMembers | Permission.ManageMessages));
        await guild.AddMemberRole(owner, bot.MemberId, moderators.Id);
        await channel.DeleteMessage(bot, spam.Id);
        await guild.Kick(bot, spammer.Id);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.GuildNotFound, () => guild.GetState(spammer));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => guild.Kick(bot, owner.Id));
    }

    [Fact]
    public async Task Changes_are_published_on_the_servers_stream()
    {
        var (owner, joiner) = (_kit.User("owner"), _kit.User("joiner"));
        var (guild, _) = await _kit.GuildWithAsync(owner);
        await using var events = await _kit.SubscribeAsync(guild);

        await _kit.Invites.Join(joiner, (await guild.CreateInvite(owner, 0, 0)).Code);
        var role = await guild.CreateRole(owner, new RoleSpec("fans"));
        await guild.AddMemberRole(owner, joiner.Id, role.Id);
        await guild.Kick(owner, joiner.Id);

        var received = await events.TakeAsync(4);
        Assert.Equal(joiner.Id, Assert.IsType<GuildMemberAdded>(received[0]).Member.UserId);
        Assert.Equal(role, Assert.IsType<GuildRoleCreated>(received[1]).Role);
        Assert.Equal([role.Id], Assert.IsType<GuildMemberUpdated>(received[2]).Member.RoleIds);
        var removed = Assert.IsType<GuildMemberRemoved>(received[3]);
        Assert.Equal((joiner.Id, LeaveReasons.Kicked), (removed.UserId, removed.Reason));
        Assert.True(received.Zip(received.Skip(1)).All(pair => pair.First.Version < pair.Second.Version), "versions grow");
    }

    [Fact]
    public async Task A_deleted_account_leaves_its_servers_and_a_server_it_owned_alone_is_closed()
    {
        var (owner, member) = (_kit.User("owner"), _kit.User("member"));
        var (guild, _) = await _kit.GuildWithAsync(owner, member);
        var (owned, _) = await _kit.GuildWithAsync(member);
        await using var events = await _kit.SubscribeAsync(guild);
        var bot = Caller.Service(TestAccounts.WelcomeBot);

        await fixture.Client.GetGrain<IUserGrain>(member.Id).DeleteAccount(bot);

        var removed = await events.NextAsync<GuildMemberRemoved>("the deleted account's removal");
        Assert.Equal((member.Id, LeaveReasons.AccountDeleted), (removed.UserId, removed.Reason));
        Assert.Equal(1, await _kit.CountRowsAsync("guild_members", guild.GetPrimaryKeyString()));
        // Nobody left to inherit it: closed, not left owned by an account that can no longer act.
        await Eventually.WaitUntilAsync(async () => await owned.GetView(TestAccounts.Gateway) is null, "the server it owned alone to close");
        Assert.Equal(0, await _kit.CountRowsAsync("guild_members", owned.GetPrimaryKeyString()));
    }

    [Fact]
    public async Task An_owners_deleted_account_passes_the_server_to_the_highest_ranked_then_longest_standing_member()
    {
        var (owner, early, late, moderator, bot) = (_kit.User("owner"), _kit.User("early"), _kit.User("late"), _kit.User("moderator"), Caller.Service(TestAccounts.WelcomeBot));
        var (guild, _) = await _kit.GuildWithAsync(owner, early, late, moderator);
        var helpers = await guild.CreateRole(owner, new RoleSpec("helpers", Permission.KickMembers));
        var mods = await guild.CreateRole(owner, new RoleSpec("mods", Permission.KickMembers, Position: 2));
        await guild.AddMemberRole(owner, early.Id, helpers.Id);
        await guild.AddMemberRole(owner, late.Id, helpers.Id);
        await guild.AddMemberRole(owner, moderator.Id, mods.Id);
        await using var events = await _kit.SubscribeAsync(guild);

        await fixture.Client.GetGrain<IUserGrain>(owner.Id).DeleteAccount(bot);

        Assert.Equal(moderator.Id, (await events.NextAsync<GuildUpdated>("the new owner")).Guild.OwnerId);
        Assert.Equal((owner.Id, LeaveReasons.AccountDeleted), (await events.NextAsync<GuildMemberRemoved>("the old owner's removal")) is var removed ? (removed.UserId, removed.Reason) : default);
        // The new owner owns it whole: they may delete it. Without the mods, the earlier helper would have.
        await guild.Delete(moderator);
        Assert.Null(await guild.GetView(TestAccounts.Gateway));
    }

    [Fact]
    public async Task A_channel_id_already_taken_by_a_channel_created_without_a_server_is_refused_and_not_listed()
    {
        var owner = _kit.User("owner");
        var (guild, _) = await _kit.GuildWithAsync(owner);
        var takenId = Ids.NewChannelId();
        await fixture.Client.GetGrain<IChannelGrain>(takenId).Create(owner, "of its own", isPrivate: false);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelExists, () => guild.CreateChannel(owner, takenId, new GuildChannelSpec("taken")));

        Assert.DoesNotContain(takenId, (await guild.GetView(TestAccounts.Gateway))!.Channels.Select(c => c.Id));
        Assert.Equal(takenId, (await fixture.Client.GetGrain<IChannelGrain>(takenId).GetInfo(owner)).GuildId); // still its own server's
    }
}
