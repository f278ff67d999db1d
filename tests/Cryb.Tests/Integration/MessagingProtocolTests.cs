using System.Diagnostics;
using Cryb.Channels;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;
using Cryb.Users;

namespace Cryb.Tests.Integration;

/// <summary>
/// The messaging feature set over the real SignalR protocol, users spread over two gateways. Where
/// a test asserts that someone did not get an event, a control user on the same gateway got it first.
/// A channel created without a server is a server of its own (same id): its membership changes
/// reach clients as that server's events.
/// </summary>
public sealed class MessagingProtocolTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    private ProcessCluster Cluster => fixture.Cluster;

    private Task<ChatTestClient> ConnectAsync(int gateway, string userId) => Cluster.ConnectAsync(gateway, userId);

    [Fact]
    public async Task Ready_lists_channels_with_latest_seq_unread_count_and_read_position()
    {
        var (aliceId, bobId) = (TestUsers.New("alice"), TestUsers.New("bob"));
        await using var alice = await ConnectAsync(0, aliceId);
        var channel = await alice.CreateChannelAsync("ready");
        await using (var bob = await ConnectAsync(1, bobId))
        {
            await bob.JoinChannelAsync(channel.Id);
        }

        for (var i = 1; i <= 3; i++)
        {
            await alice.SendMessageAsync(channel.Id, $"m{i}");
        }

        await using (var bob = await ConnectAsync(1, bobId))
        {
            var ready = await bob.NextAsync<ReadyEvent>("Ready");
            Assert.Equal(bobId, ready.User.Id);
            Assert.Equal((bobId, Presence.PresenceStatus.Online), (ready.Presence.UserId, ready.Presence.Status));
            var summary = Assert.Single(ready.Channels);
            Assert.Equal((channel.Id, ChannelRole.Member, 3L, 0L, 3), (summary.Channel.Id, summary.Role, summary.LatestSeq, summary.LastReadSeq, summary.UnreadCount));

            Assert.Equal(2, await bob.InvokeAsync<long>("MarkRead", channel.Id, 2L));
        }

        await using (var bob = await ConnectAsync(0, bobId))
        {
            var summary = Assert.Single((await bob.NextAsync<ReadyEvent>("Ready")).Channels);
            Assert.Equal((2L, 1), (summary.LastReadSeq, summary.UnreadCount));
        }
    }

    [Fact]
    public async Task Ready_from_a_gateway_already_serving_the_channel_counts_what_it_delivered_since()
    {
        var (aliceId, bobId, carolId) = (TestUsers.New("alice"), TestUsers.New("bob"), TestUsers.New("carol"));
        await using var alice = await ConnectAsync(0, aliceId);
        var channel = await alice.CreateChannelAsync("served");
        await using (var bob = await ConnectAsync(0, bobId))
        {
            await bob.JoinChannelAsync(channel.Id);
            await bob.SendMessageAsync(channel.Id, "mine");
        }

        // Carol keeps gateway 1 subscribed; her second device's Ready has it read the channel's view.
        await using var carol = await ConnectAsync(1, carolId);
        await carol.JoinChannelAsync(channel.Id);
        await using (var carolsPhone = await ConnectAsync(1, carolId))
        {
            Assert.Equal(1, Assert.Single((await carolsPhone.NextAsync<ReadyEvent>("Ready")).Channels).LatestSeq);
        }

        // Changes the view learns only from the events gateway 1 delivers.
        await alice.SendMessageAsync(channel.Id, "kept");
        var gone = await alice.SendMessageAsync(channel.Id, "gone");
        await alice.InvokeAsync("DeleteMessage", channel.Id, gone.Id);
        await alice.InvokeAsync("SetMemberRole", channel.Id, bobId, ChannelRole.Admin);
        await alice.InvokeAsync<GuildChannel>("UpdateGuildChannel", channel.Id, channel.Id, new GuildChannelSpec("renamed", Topic: "news"));
        Assert.Equal("renamed", (await carol.NextAsync<ChannelInfo>("ChannelUpdated")).Name);

        ChannelSummary fromView, fromGrain;
        await using (var bob = await ConnectAsync(1, bobId))
        {
            fromView = Assert.Single((await bob.NextAsync<ReadyEvent>("Ready")).Channels);
        }

        // Gateway 0 never listed the channel in a Ready: it reads the view from the grain now.
        await using (var bob = await ConnectAsync(0, bobId))
        {
            fromGrain = Assert.Single((await bob.NextAsync<ReadyEvent>("Ready")).Channels);
        }

        // Bob's own message does not count, the deleted one neither: "kept" is his one unread. His
        // admin rights are the server's "Admins" role (in Ready's guilds); a server channel's summary says member.
        Assert.Equal((ChannelRole.Member, "renamed", "news", 4L, 1), (fromView.Role, fromView.Channel.Name, fromView.Channel.Topic, fromView.LatestSeq, fromView.UnreadCount));
        Assert.Equal(fromGrain, fromView);
    }

    [Fact]
    public async Task Another_device_of_the_same_user_hears_of_read_positions_and_new_channels()
    {
        var aliceId = TestUsers.New("alice");
        await using var phone = await ConnectAsync(0, aliceId);
        await using var laptop = await ConnectAsync(1, aliceId);

        var channel = await phone.CreateChannelAsync("multi-device");
        // The channel's server reaches both devices, the one that made it before the call returned.
        foreach (var device in new[] { phone, laptop })
        {
            var server = await device.NextAsync<GuildState>("GuildCreated");
            Assert.Equal((channel.Id, channel.Id, "multi-device"), (server.Guild.Id, Assert.Single(server.Channels).Id, Assert.Single(server.Channels).Name));
        }

        Assert.True(laptop.HasNo("ChannelAdded"));

        var sent = await phone.SendMessageAsync(channel.Id, "to both devices");
        Assert.Equal(sent, await phone.NextMessageCreatedAsync());
        Assert.Equal(sent, await laptop.NextMessageCreatedAsync());

        await phone.InvokeAsync<long>("MarkRead", channel.Id, sent.Seq);
        var read = await laptop.NextAsync<ReadStateUpdated>("ReadStateUpdated");
        Assert.Equal((channel.Id, sent.Seq), (read.ChannelId, read.LastReadSeq));
    }

    [Fact]
    public async Task Members_hear_joins_updates_and_role_changes()
    {
        await using var alice = await ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await ConnectAsync(1, TestUsers.New("bob"));
        var channel = await alice.CreateChannelAsync("events");

        await bob.JoinChannelAsync(channel.Id);
        var joined = await alice.NextAsync<GuildMemberAdded>("GuildMemberAdded");
        Assert.Equal((channel.Id, bob.UserId), (joined.GuildId, joined.Member.UserId));
        Assert.True(alice.HasNo("MemberJoined"));

        // An admin holds the server's "Admins" role, made for the first one.
        await alice.InvokeAsync("SetMemberRole", channel.Id, bob.UserId, ChannelRole.Admin);
        var admins = (await bob.NextAsync<GuildRoleCreated>("GuildRoleCreated")).Role;
        Assert.Equal(("Admins", Permission.StandaloneAdmin), (admins.Name, admins.Permissions));
        var promoted = await bob.NextAsync<GuildMemberUpdated>("GuildMemberUpdated");
        Assert.Equal(bob.UserId, promoted.Member.UserId);
        Assert.Equal([admins.Id], promoted.Member.RoleIds);

        // The channel's settings are the server's: its admin renames it there, the channel's own method says so.
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => bob.InvokeAsync<ChannelInfo>("UpdateChannel", channel.Id, "renamed", "a topic"));
        var updated = await bob.InvokeAsync<GuildChannel>("UpdateGuildChannel", channel.Id, channel.Id, new GuildChannelSpec("renamed", Topic: "a topic"));
        var heard = (await alice.NextAsync<GuildChannelUpdated>("GuildChannelUpdated")).Channel;
        Assert.Equal((channel.Id, "renamed", "a topic"), (heard.Id, heard.Name, heard.Topic));
        Assert.Equal(("renamed", "a topic"), (updated.Name, updated.Topic));

        var members = await bob.InvokeAsync<ChannelMember[]>("GetMembers", channel.Id);
        Assert.Equal([new ChannelMember(alice.UserId, ChannelRole.Owner), new ChannelMember(bob.UserId, ChannelRole.Admin)], members);
    }

    [Fact]
    public async Task A_kicked_member_is_told_and_hears_nothing_more()
    {
        await using var alice = await ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await ConnectAsync(1, TestUsers.New("bob"));
        await using var carol = await ConnectAsync(1, TestUsers.New("carol"));
        var channel = await alice.CreateChannelAsync("kick");
        await bob.JoinChannelAsync(channel.Id);
        await carol.JoinChannelAsync(channel.Id);

        await Refusals.AssertHubRefusesAsync(ErrorCodes.Forbidden, () => bob.InvokeAsync("KickMember", channel.Id, carol.UserId));
        await alice.InvokeAsync("KickMember", channel.Id, bob.UserId);

        // Kicked out of the channel's server.
        var removed = await bob.NextAsync<GuildRemoved>("GuildRemoved");
        Assert.Equal((channel.Id, LeaveReasons.Kicked), (removed.GuildId, removed.Reason));
        var left = await carol.NextAsync<GuildMemberRemoved>("GuildMemberRemoved");
        Assert.Equal((bob.UserId, LeaveReasons.Kicked), (left.UserId, left.Reason));
        var sent = await alice.SendMessageAsync(channel.Id, "after the kick");
        Assert.Equal(sent, await carol.NextMessageCreatedAsync()); // same gateway as bob: the send reached it
        Assert.True(bob.HasNoPendingMessages);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.ChannelNotFound, () => bob.SendMessageAsync(channel.Id, "let me back"));
    }

    [Fact]
    public async Task A_banned_user_cannot_rejoin()
    {
        await using var alice = await ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await ConnectAsync(1, TestUsers.New("bob"));
        var channel = await alice.CreateChannelAsync("ban");
        await bob.JoinChannelAsync(channel.Id);

        await alice.InvokeAsync("BanMember", channel.Id, bob.UserId);

        Assert.Equal(LeaveReasons.Banned, (await bob.NextAsync<GuildRemoved>("GuildRemoved")).Reason);
        Assert.Equal((bob.UserId, LeaveReasons.Banned), await alice.NextAsync<GuildMemberRemoved>("GuildMemberRemoved") is var gone ? (gone.UserId, gone.Reason) : default);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Banned, () => bob.JoinChannelAsync(channel.Id));
    }

    [Fact]
    public async Task Leaving_is_heard_by_the_others_and_the_owner_cannot_leave()
    {
        await using var alice = await ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await ConnectAsync(1, TestUsers.New("bob"));
        var channel = await alice.CreateChannelAsync("leave");
        await bob.JoinChannelAsync(channel.Id);

        await bob.InvokeAsync("LeaveChannel", channel.Id);

        Assert.Equal((channel.Id, LeaveReasons.Left), await bob.NextAsync<GuildRemoved>("GuildRemoved") is var removed ? (removed.GuildId, removed.Reason) : default);
        Assert.Equal((bob.UserId, LeaveReasons.Left), await alice.NextAsync<GuildMemberRemoved>("GuildMemberRemoved") is var left ? (left.UserId, left.Reason) : default);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.OwnerCannotLeave, () => alice.InvokeAsync("LeaveChannel", channel.Id));
    }

    [Fact]
    public async Task An_invitation_to_a_private_channel_reaches_every_device_of_the_invited_user()
    {
        var bobId = TestUsers.New("bob");
        await using var alice = await ConnectAsync(0, TestUsers.New("alice"));
        await using var bobPhone = await ConnectAsync(0, bobId);
        await using var bobLaptop = await ConnectAsync(1, bobId);
        await using var mallory = await ConnectAsync(1, TestUsers.New("mallory"));
        var channel = await alice.CreateChannelAsync("private", isPrivate: true);

        await Refusals.AssertHubRefusesAsync(ErrorCodes.ChannelNotFound, () => mallory.JoinChannelAsync(channel.Id));
        await alice.InvokeAsync("InviteToChannel", channel.Id, bobId);
        await Invitations.AcceptAsync(Cluster, channel.Id, bobId);

        // Bob becomes a member of the channel's server: each of his devices gets it.
        Assert.Equal(channel.Id, (await bobPhone.NextAsync<GuildState>("GuildCreated")).Guild.Id);
        Assert.Equal(channel.Id, (await bobLaptop.NextAsync<GuildState>("GuildCreated")).Guild.Id);
        var sent = await alice.SendMessageAsync(channel.Id, "welcome");
        Assert.Equal(sent, await bobPhone.NextMessageCreatedAsync());
        Assert.Equal(sent, await bobLaptop.NextMessageCreatedAsync());
        Assert.True(mallory.HasNoPendingMessages);
    }

    [Fact]
    public async Task A_direct_message_opens_the_same_channel_for_both_and_reaches_the_other()
    {
        await using var alice = await ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await ConnectAsync(1, TestUsers.New("bob"));
        await DirectMessagePrivacy.OpenToEveryoneAsync(Cluster, bob.UserId);

        var opened = await alice.InvokeAsync<ChannelInfo>("OpenDirectMessage", bob.UserId);
        Assert.Equal(opened.Id, (await bob.NextAsync<ChannelInfo>("ChannelAdded")).Id);
        var sent = await alice.SendMessageAsync(opened.Id, "just us");

        Assert.Equal(sent, await bob.NextMessageCreatedAsync());
        Assert.Equal(opened, await bob.InvokeAsync<ChannelInfo>("OpenDirectMessage", alice.UserId));
        Assert.True(opened is { IsDirect: true, IsPrivate: true });
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => alice.InvokeAsync<ChannelInfo>("OpenDirectMessage", alice.UserId));
    }

    [Fact]
    public async Task Edits_deletions_and_reactions_reach_members_each_with_the_next_seq()
    {
        await using var alice = await ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await ConnectAsync(1, TestUsers.New("bob"));
        var channel = await alice.CreateChannelAsync("changes");
        await bob.JoinChannelAsync(channel.Id);
        var sent = await alice.SendMessageAsync(channel.Id, $"hello <@{bob.UserId}>");
        Assert.Equal([bob.UserId], (await bob.NextMessageCreatedAsync()).Mentions);

        var edited = await alice.InvokeAsync<ChatMessage>("EditMessage", channel.Id, sent.Id, "hello again");
        Assert.Equal(edited, await bob.NextAsync<ChatMessage>("MessageEdited"));
        Assert.Equal(sent.Seq + 1, edited.RevisionSeq);

        await bob.InvokeAsync<ReactionSummary[]>("AddReaction", channel.Id, sent.Id, "🎉");
        var reactions = await alice.NextAsync<ReactionsUpdated>("ReactionsUpdated");
        Assert.Equal(sent.Seq + 2, reactions.Seq);
        Assert.Equal(new ReactionSummary("🎉", 1, [bob.UserId]), Assert.Single(reactions.Reactions));

        await alice.InvokeAsync("DeleteMessage", channel.Id, sent.Id);
        var deleted = await bob.NextAsync<MessageDeleted>("MessageDeleted");
        Assert.Equal((sent.Id, sent.Seq + 3), (deleted.MessageId, deleted.Seq));
        Assert.Empty(await bob.GetHistoryAsync(channel.Id));
    }

    [Fact]
    public async Task Message_refusals_carry_their_codes()
    {
        await using var alice = await ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await ConnectAsync(1, TestUsers.New("bob"));
        var channel = await alice.CreateChannelAsync("refusals");
        var other = await alice.CreateChannelAsync("other");
        await bob.JoinChannelAsync(channel.Id);
        var alices = await alice.SendMessageAsync(channel.Id, "alice's");
        var elsewhere = await alice.SendMessageAsync(other.Id, "elsewhere");

        await Refusals.AssertHubRefusesAsync(ErrorCodes.Forbidden, () => bob.InvokeAsync<ChatMessage>("EditMessage", channel.Id, alices.Id, "mine now"));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Forbidden, () => bob.InvokeAsync("DeleteMessage", channel.Id, alices.Id));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.MessageNotFound, () => bob.InvokeAsync<ChatMessage>("EditMessage", channel.Id, Guid.NewGuid().ToString(), "x"));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.MessageNotFound, () => bob.InvokeAsync<ReactionSummary[]>("AddReaction", channel.Id, elsewhere.Id, "👍"));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.ReplyNotFound, () => bob.SendMessageAsync(channel.Id, "cross-channel reply", replyToId: elsewhere.Id));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.MessageTooLong, () => alice.InvokeAsync<ChatMessage>("EditMessage", channel.Id, alices.Id, new string('x', 4001)));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidEmoji, () => bob.InvokeAsync<ReactionSummary[]>("AddReaction", channel.Id, alices.Id, ""));

        var history = await alice.GetHistoryAsync(channel.Id);
        Assert.Equal(alices, Assert.Single(history));
    }

    [Fact]
    public async Task Concurrent_senders_on_both_gateways_are_committed_together_and_members_get_every_message_once_in_seq_order()
    {
        var senders = new List<ChatTestClient>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                senders.Add(await ConnectAsync(i % 2, TestUsers.New($"sender{i}")));
            }

            await SendConcurrentlyAsync(senders);
        }
        finally
        {
            foreach (var sender in senders)
            {
                await sender.DisposeAsync();
            }
        }
    }

    private async Task SendConcurrentlyAsync(List<ChatTestClient> senders)
    {
        const int perSender = 25;
        await using var observer = await ConnectAsync(1, TestUsers.New("observer"));
        var channel = await senders[0].CreateChannelAsync("busy");
        foreach (var member in senders.Skip(1).Append(observer))
        {
            await member.JoinChannelAsync(channel.Id);
        }

        var before = await AppendBatchesAsync();
        // Each connection sends one message at a time (the hub runs one invocation per connection
        // at a time), all eight at once: concurrent sends into one channel, as in a busy room.
        var sent = await Task.WhenAll(senders.Select(async sender =>
        {
            var own = new List<ChatMessage>();
            for (var i = 0; i < perSender; i++)
            {
                own.Add(await sender.SendMessageAsync(channel.Id, $"{sender.UserId} {i}", nonce: $"{sender.UserId}-{i}"));
            }

            return own;
        }));
        var all = sent.SelectMany(own => own).OrderBy(message => message.Seq).ToArray();
        Assert.Equal(Enumerable.Range(1, all.Length).Select(seq => (long)seq), all.Select(message => message.Seq));
        Assert.All(sent, own => Assert.Equal(own.Select(message => message.Seq).Order(), own.Select(message => message.Seq)));
        var delivered = new List<ChatMessage>();
        while (delivered.Count < all.Length)
        {
            delivered.Add(await observer.NextMessageCreatedAsync());
        }

        Assert.Equal(all, delivered);
        // The silos' batch-size histogram: every message went through an Append write, in fewer
        // writes than messages. One commit per send would count one write per message. Read until
        // it shows them all: the Prometheus exporter serves a scrape from its cache for 300 ms, so a
        // run that sends everything within that time reads the figures of before (seen in CI: 0).
        var after = await AppendBatchesAsync();
        for (var wait = Stopwatch.StartNew(); after.Changes - before.Changes < all.Length && wait.Elapsed < TimeSpan.FromSeconds(10);)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            after = await AppendBatchesAsync();
        }

        Assert.Equal(all.Length, after.Changes - before.Changes);
        Assert.True(after.Writes - before.Writes < all.Length, $"{all.Length} sends took {after.Writes - before.Writes} writes: none was committed together");
    }

    /// <summary>The silos' <c>cryb_postgres_batch_size</c> for sends, summed: how many writes, and how many messages they stored.</summary>
    private async Task<(double Writes, double Changes)> AppendBatchesAsync()
    {
        var scraped = await Task.WhenAll(Cluster.Silos.Select(silo => PrometheusText.ScrapeAsync(Http, silo.Url)));
        return (scraped.Sum(text => PrometheusText.Sum(text, "cryb_postgres_batch_size_count", ("operation", "Append"))),
            scraped.Sum(text => PrometheusText.Sum(text, "cryb_postgres_batch_size_sum", ("operation", "Append"))));
    }

    [Fact]
    public async Task Deleting_a_channel_tells_its_members_and_takes_its_history()
    {
        await using var alice = await ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await ConnectAsync(1, TestUsers.New("bob"));
        var channel = await alice.CreateChannelAsync("doomed");
        await bob.JoinChannelAsync(channel.Id);
        await alice.SendMessageAsync(channel.Id, "last words");

        // Deleting it is deleting its server, the owner's alone; the channel's own method says so.
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => alice.InvokeAsync("DeleteChannel", channel.Id));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Forbidden, () => bob.InvokeAsync("DeleteGuild", channel.Id));
        await alice.InvokeAsync("DeleteGuild", channel.Id);

        var removed = await bob.NextAsync<GuildRemoved>("GuildRemoved");
        Assert.Equal((channel.Id, LeaveReasons.Deleted), (removed.GuildId, removed.Reason));
        Assert.Equal(0, await fixture.Servers.CountMessagesAsync(channel.Id));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.ChannelNotFound, () => bob.GetHistoryAsync(channel.Id));
    }
}
