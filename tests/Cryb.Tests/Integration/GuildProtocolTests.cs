using Cryb.Channels;
using Cryb.Errors;
using Cryb.Gateway.Hubs;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;
using Cryb.Users;

namespace Cryb.Tests.Integration;

/// <summary>
/// Servers (guilds) over the real SignalR protocol, the owner on gateway 0 and the others on gateway
/// 1. Where a test asserts that someone did not get an event, a control user on the same gateway got
/// it first (one gateway sends an event to all its recipients at once).
/// </summary>
public sealed class GuildProtocolTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private ProcessCluster Cluster => fixture.Cluster;

    private Task<ChatTestClient> ConnectAsync(int gateway, string name) => Cluster.ConnectAsync(gateway, TestUsers.New(name));

    [Fact]
    public async Task A_server_is_created_joined_by_invite_and_talked_in_and_Ready_lists_it()
    {
        await using var alice = await ConnectAsync(0, "alice");
        await using var bob = await ConnectAsync(1, "bob");

        var server = await alice.InvokeAsync<GuildState>("CreateGuild", "  club  ");
        var guildId = server.Guild.Id;
        Assert.Equal(("club", alice.UserId, alice.UserId, 1), (server.Guild.Name, server.Guild.OwnerId, server.Member.UserId, server.Guild.MemberCount));
        var general = Assert.Single(server.Channels, channel => channel.Type == GuildChannelType.Text);
        Assert.Equal("general", general.Name);
        Assert.Equal(guildId, Assert.Single(server.Roles).Id); // @everyone has the server's id
        Assert.Equal(guildId, (await alice.NextAsync<GuildState>("GuildCreated")).Guild.Id);

        var invite = await alice.InvokeAsync<GuildInvite>("CreateInvite", guildId, 5, 3600);
        Assert.Equal(GuildLimits.InviteCodeLength, invite.Code.Length);
        var preview = await bob.InvokeAsync<GuildInvite>("GetInvite", invite.Code);
        Assert.Equal((guildId, "club", 1), (preview.GuildId, preview.GuildName, preview.MemberCount));

        var joined = await bob.InvokeAsync<GuildState>("JoinGuild", invite.Code);
        Assert.Equal((guildId, bob.UserId), (joined.Guild.Id, joined.Member.UserId));
        var created = await bob.NextAsync<GuildState>("GuildCreated");
        Assert.Equal((guildId, 2), (created.Guild.Id, created.Guild.MemberCount));
        Assert.Contains(created.Channels, channel => channel.Id == general.Id);
        Assert.Equal(bob.UserId, (await alice.NextAsync<GuildMemberAdded>("GuildMemberAdded")).Member.UserId);

        var sent = await bob.SendMessageAsync(general.Id, "hello club");
        Assert.Equal(sent, await alice.NextMessageCreatedAsync());
        Assert.Equal(sent, await bob.NextMessageCreatedAsync());

        // A second device, on the other gateway: its Ready lists the server and its channel by seq.
        await using var bobsPhone = await Cluster.ConnectAsync(0, bob.UserId);
        var ready = await bobsPhone.NextAsync<ReadyEvent>("Ready");
        var listed = Assert.Single(ready.Guilds!);
        Assert.Equal((guildId, bob.UserId), (listed.Guild.Id, listed.Member.UserId));
        Assert.Equal([alice.UserId, bob.UserId], listed.Members.Select(member => member.UserId).Order(StringComparer.Ordinal));
        var summary = Assert.Single(ready.Channels, channel => channel.Channel.Id == general.Id);
        Assert.Equal((guildId, sent.Seq, 0L), (summary.Channel.GuildId, summary.LatestSeq, summary.LastReadSeq));

        var reply = await alice.SendMessageAsync(general.Id, "welcome");
        Assert.Equal(reply, await bobsPhone.NextMessageCreatedAsync());
        Assert.Equal(reply.Seq, await bobsPhone.InvokeAsync<long>("MarkRead", general.Id, reply.Seq));
        var read = await bob.NextAsync<ReadStateUpdated>("ReadStateUpdated");
        Assert.Equal((general.Id, reply.Seq), (read.ChannelId, read.LastReadSeq));
    }

    [Fact]
    public async Task Overwrites_hide_a_channel_from_a_role_and_then_from_one_member()
    {
        await using var alice = await ConnectAsync(0, "alice");
        await using var bob = await ConnectAsync(1, "bob");
        await using var carol = await ConnectAsync(1, "carol");
        await using var dave = await ConnectAsync(1, "dave");
        var (guildId, _, _) = await CreateServerAsync(alice, "overwrites", bob, carol, dave);

        var staff = await alice.InvokeAsync<GuildChannel>("CreateGuildChannel", guildId, new GuildChannelSpec("staff"));
        Assert.NotEqual(default, staff.CreatedAt);
        foreach (var member in new[] { bob, carol, dave })
        {
            Assert.Equal(staff.Id, (await member.NextAsync<GuildChannelCreated>("GuildChannelCreated")).Channel.Id);
            var added = await member.NextAsync<ChannelInfo>("ChannelAdded");
            Assert.Equal((staff.Id, guildId, false, staff.CreatedAt), (added.Id, added.GuildId, added.IsPrivate, added.CreatedAt));
        }

        var guests = await alice.InvokeAsync<GuildRole>("CreateRole", guildId, new RoleSpec("guests"));
        await alice.InvokeAsync<GuildMember>("AddMemberRole", guildId, bob.UserId, guests.Id);
        Assert.Equal([guests.Id], (await dave.NextAsync<GuildMemberUpdated>("GuildMemberUpdated")).Member.RoleIds);

        // Hidden from a role: bob, who has it, loses the channel; carol and dave keep it.
        var hiddenFromGuests = new PermissionOverwrite(guests.Id, OverwriteKind.Role, 0, Permission.ViewChannel);
        await alice.InvokeAsync<GuildChannel>("UpdateGuildChannel", guildId, staff.Id, new GuildChannelSpec(Overwrites: [hiddenFromGuests]));
        var removed = await bob.NextAsync<ChannelRemoved>("ChannelRemoved");
        Assert.Equal((staff.Id, LeaveReasons.NoAccess), (removed.ChannelId, removed.Reason));
        Assert.Equal([hiddenFromGuests], (await dave.NextAsync<GuildChannelUpdated>("GuildChannelUpdated")).Channel.Overwrites);
        Assert.Equal(staff.Id, (await carol.NextAsync<GuildChannelUpdated>("GuildChannelUpdated")).Channel.Id);
        Assert.True(bob.HasNo("GuildChannelUpdated"));

        var toStaff = await alice.SendMessageAsync(staff.Id, "staff only");
        Assert.Equal(toStaff, await carol.NextMessageCreatedAsync());
        Assert.Equal(toStaff, await dave.NextMessageCreatedAsync());
        Assert.True(bob.HasNoPendingMessages);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.ChannelNotFound, () => bob.SendMessageAsync(staff.Id, "let me in"));

        // Then from one member: carol loses it too, dave keeps it.
        var hiddenFromCarol = new PermissionOverwrite(carol.UserId, OverwriteKind.Member, 0, Permission.ViewChannel);
        await alice.InvokeAsync<GuildChannel>("UpdateGuildChannel", guildId, staff.Id, new GuildChannelSpec(Overwrites: [hiddenFromGuests, hiddenFromCarol]));
        var gone = await carol.NextAsync<ChannelRemoved>("ChannelRemoved");
        Assert.Equal((staff.Id, LeaveReasons.NoAccess), (gone.ChannelId, gone.Reason));
        Assert.Equal(2, (await dave.NextAsync<GuildChannelUpdated>("GuildChannelUpdated")).Channel.Overwrites.Count);

        var again = await alice.SendMessageAsync(staff.Id, "still staff only");
        Assert.Equal(again, await dave.NextMessageCreatedAsync());
        Assert.True(carol.HasNoPendingMessages);
        Assert.True(bob.HasNoPendingMessages);

        // The overwrites are the channel's only: general still reaches everyone.
        var toAll = await alice.SendMessageAsync(Assert.Single((await alice.InvokeAsync<GuildState>("GetGuild", guildId)).Channels, c => c.Name == "general").Id, "everyone");
        Assert.Equal(toAll, await bob.NextMessageCreatedAsync());
        Assert.Equal(toAll, await carol.NextMessageCreatedAsync());
        Assert.Equal(toAll, await dave.NextMessageCreatedAsync());

        // Lifting the member's overwrite shows carol the channel again.
        await alice.InvokeAsync<GuildChannel>("UpdateGuildChannel", guildId, staff.Id, new GuildChannelSpec(Overwrites: [hiddenFromGuests]));
        Assert.Equal(staff.Id, (await carol.NextAsync<ChannelInfo>("ChannelAdded")).Id);
        var back = await alice.SendMessageAsync(staff.Id, "welcome back");
        Assert.Equal(back, await carol.NextMessageCreatedAsync());
        Assert.Equal(back, await dave.NextMessageCreatedAsync());
        Assert.True(bob.HasNoPendingMessages);

        // Bob's next connect, on the other gateway, neither lists the channel nor delivers it.
        await using var bobsPhone = await Cluster.ConnectAsync(0, bob.UserId);
        var ready = await bobsPhone.NextAsync<ReadyEvent>("Ready");
        Assert.DoesNotContain(ready.Channels, summary => summary.Channel.Id == staff.Id);
        Assert.DoesNotContain(Assert.Single(ready.Guilds!).Channels, channel => channel.Id == staff.Id);
        Assert.Contains(ready.Channels, summary => summary.Channel.Name == "general");
        var hidden = await alice.SendMessageAsync(staff.Id, "still not for bob");
        // Alice, on the same gateway, is the control: once her copy came, bob's would have.
        while ((await alice.NextMessageCreatedAsync()).Id != hidden.Id)
        {
        }

        Assert.True(bobsPhone.HasNoPendingMessages);
    }

    [Fact]
    public async Task A_member_losing_access_mid_conversation_hears_every_message_before_and_none_after()
    {
        const int Messages = 40;
        await using var alice = await ConnectAsync(0, "alice");
        await using var alicesAdminTab = await Cluster.ConnectAsync(0, alice.UserId);
        await using var bob = await ConnectAsync(1, "bob");
        await using var carol = await ConnectAsync(1, "carol");
        var (guildId, general, _) = await CreateServerAsync(alice, "mid-conversation", bob, carol);

        var tenthSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var conversation = Task.Run(async () =>
        {
            var sent = new List<ChatMessage>();
            for (var i = 1; i <= Messages; i++)
            {
                sent.Add(await alice.SendMessageAsync(general.Id, $"m{i}"));
                if (i == 10)
                {
                    tenthSent.SetResult();
                }
            }

            return sent;
        });

        await tenthSent.Task.WithinAsync(TimeSpan.FromSeconds(30), "the conversation's 10th message");
        await alicesAdminTab.InvokeAsync<GuildChannel>("UpdateGuildChannel", guildId, general.Id,
            new GuildChannelSpec(Overwrites: [new PermissionOverwrite(bob.UserId, OverwriteKind.Member, 0, Permission.ViewChannel)]));
        var sentAfterTheChange = await alice.SendMessageAsync(general.Id, "after the change");
        var sent = await conversation.WithinAsync(TimeSpan.FromSeconds(60), "the conversation");

        Assert.Equal(LeaveReasons.NoAccess, (await bob.NextAsync<ChannelRemoved>("ChannelRemoved")).Reason);
        var carolGot = new List<ChatMessage>();
        for (var i = 0; i < Messages + 1; i++)
        {
            carolGot.Add(await carol.NextMessageCreatedAsync());
        }

        Assert.Equal(sent.Append(sentAfterTheChange).Select(m => m.Seq).Order(), carolGot.Select(m => m.Seq).Order());
        // Carol (same gateway) has everything, so whatever bob was to get has come: a prefix of the
        // channel in seq order, at least the ten sent before the change, nothing after it.
        var bobGot = bob.TakePending<ChatMessage>("MessageCreated");
        var ordered = carolGot.OrderBy(m => m.Seq).ToList();
        Assert.InRange(bobGot.Count, 10, Messages);
        Assert.Equal(ordered.Take(bobGot.Count).Select(m => m.Id), bobGot.Select(m => m.Id));
        Assert.DoesNotContain(bobGot, m => m.Seq >= sentAfterTheChange.Seq);
    }

    [Fact]
    public async Task A_kicked_member_is_told_and_hears_nothing_more_of_the_server()
    {
        await using var alice = await ConnectAsync(0, "alice");
        await using var bob = await ConnectAsync(1, "bob");
        await using var carol = await ConnectAsync(1, "carol");
        var (guildId, general, _) = await CreateServerAsync(alice, "kick", bob, carol);

        await Refusals.AssertHubRefusesAsync(ErrorCodes.Forbidden, () => bob.InvokeAsync("KickFromGuild", guildId, carol.UserId));
        await alice.InvokeAsync("KickFromGuild", guildId, bob.UserId);

        var removed = await bob.NextAsync<GuildRemoved>("GuildRemoved");
        Assert.Equal((guildId, LeaveReasons.Kicked), (removed.GuildId, removed.Reason));
        var heard = await carol.NextAsync<GuildMemberRemoved>("GuildMemberRemoved");
        Assert.Equal((bob.UserId, LeaveReasons.Kicked), (heard.UserId, heard.Reason));
        Assert.Equal(bob.UserId, (await alice.NextAsync<GuildMemberRemoved>("GuildMemberRemoved")).UserId);

        var sent = await alice.SendMessageAsync(general.Id, "after the kick");
        Assert.Equal(sent, await carol.NextMessageCreatedAsync());
        Assert.True(bob.HasNoPendingMessages);
        Assert.True(bob.HasNo("GuildMemberRemoved"));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.ChannelNotFound, () => bob.SendMessageAsync(general.Id, "let me back"));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.GuildNotFound, () => bob.InvokeAsync<GuildState>("GetGuild", guildId));
    }

    [Fact]
    public async Task A_banned_user_is_removed_and_the_invite_refuses_them_until_unbanned()
    {
        await using var alice = await ConnectAsync(0, "alice");
        await using var bob = await ConnectAsync(1, "bob");
        var (guildId, _, code) = await CreateServerAsync(alice, "ban", bob);

        await alice.InvokeAsync("BanFromGuild", guildId, bob.UserId, 0, "spam");

        var removed = await bob.NextAsync<GuildRemoved>("GuildRemoved");
        Assert.Equal((guildId, LeaveReasons.Banned), (removed.GuildId, removed.Reason));
        Assert.Equal(LeaveReasons.Banned, (await alice.NextAsync<GuildMemberRemoved>("GuildMemberRemoved")).Reason);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Banned, () => bob.InvokeAsync<GuildState>("JoinGuild", code));
        var ban = Assert.Single(await alice.InvokeAsync<GuildBan[]>("GetGuildBans", guildId, null));
        Assert.Equal((bob.UserId, alice.UserId, "spam"), (ban.UserId, ban.BannedBy, ban.Reason));

        await alice.InvokeAsync("UnbanFromGuild", guildId, bob.UserId);
        Assert.Equal(bob.UserId, (await bob.InvokeAsync<GuildState>("JoinGuild", code)).Member.UserId);
        Assert.Equal(guildId, (await bob.NextAsync<GuildState>("GuildCreated")).Guild.Id);
    }

    [Fact]
    public async Task RequestGuildMembers_answers_queries_in_one_chunk_and_the_full_list_in_chunks_of_a_thousand()
    {
        await using var alice = await ConnectAsync(0, "alice");
        await using var bob = await ConnectAsync(1, "bob");
        await using var carol = await ConnectAsync(1, "carol");
        var (guildId, _, _) = await CreateServerAsync(alice, "members", bob, carol);

        await bob.InvokeAsync("RequestGuildMembers", guildId, carol.UserId[..8], null, 10, true, "by-name");
        var byName = await bob.NextAsync<GuildMembersChunk>("GuildMembersChunk");
        Assert.Equal((guildId, 0, 1, "by-name"), (byName.GuildId, byName.ChunkIndex, byName.ChunkCount, byName.Nonce));
        Assert.Equal(carol.UserId, Assert.Single(byName.Members).UserId);
        var presence = Assert.Single(byName.Presences!);
        Assert.Equal((carol.UserId, PresenceStatus.Online), (presence.UserId, presence.Status));

        await bob.InvokeAsync("RequestGuildMembers", guildId, null, new[] { carol.UserId, "nobody-here" }, 0, false, null);
        var byId = await bob.NextAsync<GuildMembersChunk>("GuildMembersChunk");
        Assert.Equal(carol.UserId, Assert.Single(byId.Members).UserId);
        Assert.Equal(["nobody-here"], byId.NotFound);
        Assert.Null(byId.Presences);
        Assert.True(alice.HasNo("GuildMembersChunk") && carol.HasNo("GuildMembersChunk")); // the caller's connection only

        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => bob.InvokeAsync("RequestGuildMembers", guildId, null, null, 0, false, new string('n', 33)));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => bob.InvokeAsync("RequestGuildMembers", guildId, null, null, 0, true, null));

        // 2,100 more through a backend service's bulk import: 2,103 members are three chunks.
        await using (var service = await Cluster.ConnectServiceAsync())
        {
            var bot = Caller.Service(TestAccounts.WelcomeBot);
            var imported = Enumerable.Range(0, 2100).Select(i => $"imported-{guildId[..8]}-{i:D4}").ToArray();
            foreach (var batch in imported.Chunk(700))
            {
                Assert.Equal(batch.Length, await service.Cluster.GetGrain<IGuildGrain>(guildId).ImportMembers(bot, batch));
            }
        }

        await carol.InvokeAsync("RequestGuildMembers", guildId, "", null, 0, false, "all");
        var chunks = new List<GuildMembersChunk>();
        for (var i = 0; i < 3; i++)
        {
            chunks.Add(await carol.NextAsync<GuildMembersChunk>("GuildMembersChunk"));
        }

        Assert.Equal([0, 1, 2], chunks.Select(chunk => chunk.ChunkIndex));
        Assert.All(chunks, chunk => Assert.Equal((3, "all"), (chunk.ChunkCount, chunk.Nonce)));
        Assert.Equal([1000, 1000, 103], chunks.Select(chunk => chunk.Members.Count));
        var listed = chunks.SelectMany(chunk => chunk.Members).Select(member => member.UserId).ToList();
        Assert.Equal(2103, listed.Distinct().Count());
        Assert.Contains(alice.UserId, listed);

        var refusal = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => carol.InvokeAsync("RequestGuildMembers", guildId, null, null, 0, false, null));
        Assert.Equal(ErrorCodes.RateLimited, Refusals.CodeOf(refusal));
        Assert.Contains("retryAfterMs=", refusal.Message);
    }

    [Fact]
    public async Task A_bulk_import_announces_each_member_while_the_server_stays_small_and_only_the_new_count_once_it_is_large()
    {
        await using var alice = await ConnectAsync(0, "alice");
        await using var bob = await ConnectAsync(1, "bob");
        var (guildId, _, _) = await CreateServerAsync(alice, "imports", bob);
        var bot = Caller.Service(TestAccounts.WelcomeBot);
        await using var service = await Cluster.ConnectServiceAsync();
        var guild = service.Cluster.GetGrain<IGuildGrain>(guildId);

        // Small: each imported member comes as a join's GuildMemberAdded, on both gateways.
        var few = Enumerable.Range(0, 3).Select(i => $"few-{guildId[..8]}-{i}").ToArray();
        Assert.Equal(3, await guild.ImportMembers(bot, few));
        foreach (var member in new[] { alice, bob })
        {
            var added = new List<GuildMemberAdded>();
            for (var i = 0; i < few.Length; i++)
            {
                added.Add(await member.NextAsync<GuildMemberAdded>("GuildMemberAdded"));
            }

            Assert.Equal(few, added.Select(e => e.Member.UserId).Order(StringComparer.Ordinal));
            Assert.All(added, e => Assert.Equal(guildId, e.GuildId));
        }

        // The gateway kept its full list and count up to date: a new device's Ready, answered from
        // its memory, lists the imported members.
        await using (var alicesPhone = await Cluster.ConnectAsync(1, alice.UserId))
        {
            var listed = Assert.Single((await alicesPhone.NextAsync<ReadyEvent>("Ready")).Guilds!);
            Assert.Equal((5, false), (listed.Guild.MemberCount, listed.Large));
            Assert.Equal([alice.UserId, bob.UserId, .. few], listed.Members.Select(member => member.UserId).Order(StringComparer.Ordinal));
        }

        // Past the threshold: one GuildMembersImported with the new count instead of 250 events.
        var many = Enumerable.Range(0, GuildLimits.LargeThreshold).Select(i => $"many-{guildId[..8]}-{i:D3}").ToArray();
        Assert.Equal(many.Length, await guild.ImportMembers(bot, many));
        var expected = 5 + many.Length;
        foreach (var member in new[] { alice, bob })
        {
            var imported = await member.NextAsync<GuildMembersImported>("GuildMembersImported");
            Assert.Equal((guildId, expected, many.Length), (imported.GuildId, imported.MemberCount, imported.Added));
            // One connection gets a server's events in order: any GuildMemberAdded of the import would be here by now.
            Assert.True(member.HasNo("GuildMemberAdded"));
        }

        // The gateway dropped the full list it can no longer keep, and counts the import.
        await using (var bobsPhone = await Cluster.ConnectAsync(1, bob.UserId))
        {
            var listed = Assert.Single((await bobsPhone.NextAsync<ReadyEvent>("Ready")).Guilds!);
            Assert.Equal((expected, true), (listed.Guild.MemberCount, listed.Large));
            Assert.Equal(bob.UserId, Assert.Single(listed.Members).UserId);
        }

        // A join after it is counted from there.
        await using var carol = await ConnectAsync(1, "carol");
        var invite = await alice.InvokeAsync<GuildInvite>("CreateInvite", guildId, 0, 0);
        Assert.Equal(expected + 1, (await carol.InvokeAsync<GuildState>("JoinGuild", invite.Code)).Guild.MemberCount);
        Assert.Equal(carol.UserId, (await bob.NextAsync<GuildMemberAdded>("GuildMemberAdded")).Member.UserId);
    }

    [Fact]
    public async Task Roles_names_and_deletions_reach_the_members_and_a_deleted_server_is_gone_for_everyone()
    {
        await using var alice = await ConnectAsync(0, "alice");
        await using var bob = await ConnectAsync(1, "bob");
        var (guildId, general, _) = await CreateServerAsync(alice, "lifecycle", bob);

        await alice.InvokeAsync<GuildInfo>("UpdateGuild", guildId, "renamed");
        Assert.Equal("renamed", (await bob.NextAsync<Guilds.GuildUpdated>("GuildUpdated")).Guild.Name);

        var role = await alice.InvokeAsync<GuildRole>("CreateRole", guildId, new RoleSpec("mods", Permission.ManageMessages));
        Assert.Equal(role, (await bob.NextAsync<GuildRoleCreated>("GuildRoleCreated")).Role);
        await alice.InvokeAsync("DeleteRole", guildId, role.Id);
        Assert.Equal(role.Id, (await bob.NextAsync<GuildRoleDeleted>("GuildRoleDeleted")).RoleId);

        var member = await alice.InvokeAsync<GuildMember>("SetNickname", guildId, bob.UserId, "bobby");
        Assert.Equal("bobby", (await bob.NextAsync<GuildMemberUpdated>("GuildMemberUpdated")).Member.Nickname);
        Assert.Equal("bobby", member.Nickname);

        await alice.InvokeAsync("DeleteGuildChannel", guildId, general.Id);
        Assert.Equal(general.Id, (await bob.NextAsync<GuildChannelDeleted>("GuildChannelDeleted")).ChannelId);

        await Refusals.AssertHubRefusesAsync(ErrorCodes.Forbidden, () => bob.InvokeAsync("DeleteGuild", guildId));
        await alice.InvokeAsync("DeleteGuild", guildId);
        // Each member hears GuildRemoved (reason deleted) on their own stream; GuildDeleted reaches
        // only connections still in the server when it goes out, which that may have emptied.
        var removed = await bob.NextAsync<GuildRemoved>("GuildRemoved");
        Assert.Equal((guildId, LeaveReasons.Deleted), (removed.GuildId, removed.Reason));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.GuildNotFound, () => bob.InvokeAsync<GuildState>("GetGuild", guildId));

        await using var bobAgain = await Cluster.ConnectAsync(1, bob.UserId);
        Assert.Empty((await bobAgain.NextAsync<ReadyEvent>("Ready")).Guilds!);
    }

    /// <summary>A server of <paramref name="owner"/>'s that each of <paramref name="members"/> joined by invite (each saw its <c>GuildCreated</c>).</summary>
    private static async Task<(string GuildId, GuildChannel General, string Code)> CreateServerAsync(ChatTestClient owner, string name, params ChatTestClient[] members)
    {
        var server = await owner.InvokeAsync<GuildState>("CreateGuild", name);
        await owner.NextAsync<GuildState>("GuildCreated");
        var invite = await owner.InvokeAsync<GuildInvite>("CreateInvite", server.Guild.Id, 0, 0);
        foreach (var member in members)
        {
            await member.InvokeAsync<GuildState>("JoinGuild", invite.Code);
            Assert.Equal(server.Guild.Id, (await member.NextAsync<GuildState>("GuildCreated")).Guild.Id);
            Assert.Equal(member.UserId, (await owner.NextAsync<GuildMemberAdded>("GuildMemberAdded")).Member.UserId);
        }

        return (server.Guild.Id, Assert.Single(server.Channels, channel => channel.Name == "general"), invite.Code);
    }
}
