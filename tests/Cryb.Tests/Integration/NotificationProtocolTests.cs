using Cryb.Channels;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Notifications;
using Cryb.Relationships;
using Cryb.Tests.Infrastructure;
using Cryb.Users;

namespace Cryb.Tests.Integration;

/// <summary>
/// Notifications over the real SignalR protocol on two gateways, real PostgreSQL behind: each
/// source (mention, reply, reaction, direct message, @everyone, roles, friend requests,
/// invitations), who never gets one (the author, blocked users, members who cannot view the
/// channel, those whose settings exclude it), the inbox's numbering and cursor across devices, and
/// what a reconnecting client finds.
/// </summary>
public sealed class NotificationProtocolTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private ProcessCluster Cluster => fixture.Cluster;

    private static Task<Notification[]> InboxAsync(ChatTestClient client, bool unreadOnly = false) =>
        client.InvokeAsync<Notification[]>("GetNotifications", null, NotificationLimits.MaxPage, unreadOnly);

    private static Task<ChatMessage> SendAsync(ChatTestClient author, string channelId, string content, string? replyToId = null) =>
        author.InvokeAsync<ChatMessage>("SendMessage", channelId, content, null, replyToId);

    [Fact]
    public async Task A_mention_a_reply_and_reactions_notify_the_user_on_every_device_numbered_without_gaps_and_acks_move_the_cursor_everywhere()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));
        await using var bobsPhone = await Cluster.ConnectAsync(0, bob.UserId);
        await using var carol = await Cluster.ConnectAsync(1, TestUsers.New("carol"));
        var (guildId, general, _) = await GuildSteps.CreateServerAsync(alice, "notify", bob, carol);

        var mention = await SendAsync(alice, general.Id, $"look at this <@{bob.UserId}>, please");
        var mentioned = await bob.NextAsync<Notification>("NotificationCreated");
        Assert.Equal(
            (1L, NotificationKind.Mention, NotificationPriority.High, alice.UserId, guildId, general.Id, mention.Id, mention.Seq, mention.Content),
            (mentioned.Seq, mentioned.Kind, mentioned.Priority, mentioned.ActorId, mentioned.GuildId, mentioned.ChannelId, mentioned.MessageId, mentioned.MessageSeq, mentioned.Excerpt));
        Assert.Equal(mentioned, await bobsPhone.NextAsync<Notification>("NotificationCreated"));
        Assert.Equal([mentioned], await InboxAsync(bob));

        // A reply to bob's message, then reactions to it: the first notifies, the second (another
        // user's, while the first is unread) is collapsed into it.
        var bobs = await SendAsync(bob, general.Id, "what do you think?");
        var reply = await SendAsync(carol, general.Id, "I think yes", bobs.Id);
        var replied = await bob.NextAsync<Notification>("NotificationCreated");
        Assert.Equal((2L, NotificationKind.Reply, carol.UserId, reply.Id), (replied.Seq, replied.Kind, replied.ActorId, replied.MessageId));
        await carol.InvokeAsync<ReactionSummary[]>("AddReaction", general.Id, bobs.Id, "👍");
        var reacted = await bob.NextAsync<Notification>("NotificationCreated");
        Assert.Equal((3L, NotificationKind.Reaction, NotificationPriority.Low, carol.UserId, bobs.Id, "👍"),
            (reacted.Seq, reacted.Kind, reacted.Priority, reacted.ActorId, reacted.MessageId, reacted.Excerpt));
        await alice.InvokeAsync<ReactionSummary[]>("AddReaction", general.Id, bobs.Id, "🎉");
        Assert.Equal([3L, 2L, 1L], (await InboxAsync(bob)).Select(n => n.Seq));

        // The author and the bystander have nothing.
        Assert.Empty(await InboxAsync(alice));
        Assert.Empty(await InboxAsync(carol));

        // Acknowledged on the phone: every device hears the cursor move; a reaction after it notifies again.
        var acked = await bobsPhone.InvokeAsync<NotificationsAcked>("AckNotifications", 3L);
        Assert.Equal((3L, 0), (acked.AckedSeq, acked.UnreadCount));
        Assert.Equal((3L, 0), ((await bob.NextAsync<NotificationsAcked>("NotificationsAcked")).AckedSeq, 0));
        Assert.Empty(await InboxAsync(bob, unreadOnly: true));
        await alice.InvokeAsync<ReactionSummary[]>("AddReaction", general.Id, bobs.Id, "❤️");
        Assert.Equal((4L, NotificationKind.Reaction, alice.UserId), (await bob.NextAsync<Notification>("NotificationCreated")) is var again ? (again.Seq, again.Kind, again.ActorId) : default);
        // The cursor never goes back, nor past the newest.
        Assert.Equal(3L, (await bob.InvokeAsync<NotificationsAcked>("AckNotifications", 1L)).AckedSeq);
        Assert.Equal(4L, (await bob.InvokeAsync<NotificationsAcked>("AckNotifications", 99L)).AckedSeq);

        // A new device: the inbox's state, and the channel's unread mentions (the mention and the reply; reactions do not count).
        await using var bobsTablet = await Cluster.ConnectAsync(1, bob.UserId);
        var ready = await bobsTablet.NextAsync<ReadyEvent>("Ready");
        Assert.Equal((4L, 4L, 0), (ready.Notifications.LastSeq, ready.Notifications.AckedSeq, ready.Notifications.UnreadCount));
        Assert.Equal(2, Assert.Single(ready.Channels, channel => channel.Channel.Id == general.Id).MentionCount);

        // Reading the channel past the mention clears it, on every device.
        await bob.InvokeAsync<long>("MarkRead", general.Id, reply.Seq);
        var read = await bobsTablet.NextAsync<ReadStateUpdated>("ReadStateUpdated");
        Assert.Equal((general.Id, reply.Seq, 0), (read.ChannelId, read.LastReadSeq, read.MentionCount));
    }

    [Fact]
    public async Task Direct_messages_to_an_offline_user_wait_in_the_inbox_and_a_reconnecting_client_resumes_from_the_seq_it_holds()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        var bobId = TestUsers.New("bob");
        string dm;
        await using (var bob = await Cluster.ConnectAsync(1, bobId))
        {
            await GuildSteps.CreateServerAsync(alice, "shared", bob);
            dm = (await alice.InvokeAsync<ChannelInfo>("OpenDirectMessage", bobId)).Id;
            await SendAsync(alice, dm, "first");
            var live = await bob.NextAsync<Notification>("NotificationCreated");
            Assert.Equal((1L, NotificationKind.DirectMessage, NotificationPriority.High, (string?)null), (live.Seq, live.Kind, live.Priority, live.GuildId));
        }

        var missed = new List<ChatMessage>();
        for (var i = 0; i < 3; i++)
        {
            missed.Add(await SendAsync(alice, dm, $"while you were away {i}"));
        }

        await using var back = await Cluster.ConnectAsync(0, bobId);
        var ready = await back.NextAsync<ReadyEvent>("Ready");
        Assert.Equal((4L, 0L, 4), (ready.Notifications.LastSeq, ready.Notifications.AckedSeq, ready.Notifications.UnreadCount));
        Assert.Equal(4, Assert.Single(ready.Channels, channel => channel.Channel.Id == dm).MentionCount);

        // The client held seq 1 (it saw the first live): it gets the rest, in order.
        var resumed = await back.InvokeAsync<NotificationResume>("ResumeNotifications", 1L);
        Assert.False(resumed.Truncated);
        Assert.Equal((4L, 0L), (resumed.LastSeq, resumed.AckedSeq));
        Assert.Equal(missed.Select((message, i) => (2L + i, message.Id, message.Content)),
            resumed.Notifications.Select(n => (n.Seq, n.MessageId!, n.Excerpt!)));
        Assert.Empty((await back.InvokeAsync<NotificationResume>("ResumeNotifications", 4L)).Notifications);

        // Paging back from the newest.
        Assert.Equal([2L, 1L], (await back.InvokeAsync<Notification[]>("GetNotifications", 3L, 2, false)).Select(n => n.Seq));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => back.InvokeAsync<Notification[]>("GetNotifications", null, 0, false));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => back.InvokeAsync<Notification[]>("GetNotifications", null, 101, false));
    }

    [Fact]
    public async Task Everyone_and_role_mentions_follow_the_authors_permissions_and_reach_only_members_who_can_view_the_channel()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));
        await using var carol = await Cluster.ConnectAsync(0, TestUsers.New("carol"));
        await using var dave = await Cluster.ConnectAsync(1, TestUsers.New("dave"));
        var (guildId, general, _) = await GuildSteps.CreateServerAsync(alice, "roles", bob, carol, dave);
        // A member who has never connected: offline.
        var absent = (await GuildSteps.ImportAsync(Cluster, guildId, 1))[0];
        var mods = await alice.InvokeAsync<GuildRole>("CreateRole", guildId, new RoleSpec("mods", Mentionable: false));
        var team = await alice.InvokeAsync<GuildRole>("CreateRole", guildId, new RoleSpec("team", Mentionable: true));
        await alice.InvokeAsync<GuildMember>("AddMemberRole", guildId, bob.UserId, mods.Id);
        await alice.InvokeAsync<GuildMember>("AddMemberRole", guildId, carol.UserId, team.Id);
        var secret = await alice.InvokeAsync<GuildChannel>("CreateGuildChannel", guildId, new GuildChannelSpec("secret", GuildChannelType.Text, Overwrites:
        [
            new PermissionOverwrite(guildId, OverwriteKind.Role, 0, Permission.ViewChannel),
            new PermissionOverwrite(mods.Id, OverwriteKind.Role, Permission.ViewChannel, 0),
        ]));

        // Without Mention Everyone: @everyone and a role that is not mentionable notify nobody; a mentionable role does.
        await SendAsync(bob, general.Id, "@everyone listen");
        await SendAsync(carol, general.Id, $"<@&{mods.Id}> help");
        var toTeam = await SendAsync(bob, general.Id, $"<@&{team.Id}> standup");
        var teamNotice = Assert.Single(await InboxAsync(carol));
        Assert.Equal((NotificationKind.RoleMention, toTeam.Id), (teamNotice.Kind, teamNotice.MessageId));
        Assert.Empty(await InboxAsync(bob));
        Assert.Empty(await InboxAsync(dave));

        // The owner may: every member but the author, once each.
        var everyone = await SendAsync(alice, general.Id, "@everyone release at noon");
        foreach (var member in new[] { bob, carol, dave })
        {
            var newest = (await InboxAsync(member))[0];
            Assert.Equal((NotificationKind.Everyone, everyone.Id), (newest.Kind, newest.MessageId));
        }

        Assert.Empty(await InboxAsync(alice));

        // @here: those online only.
        var here = await SendAsync(alice, general.Id, "@here quick sync");
        Assert.Equal((NotificationKind.Everyone, here.Id), ((await InboxAsync(carol))[0].Kind, (await InboxAsync(carol))[0].MessageId));
        await using (var late = await Cluster.ConnectAsync(0, absent))
        {
            Assert.Equal([everyone.Id], (await InboxAsync(late)).Select(n => n.MessageId));
        }

        // In a channel only mods can view: dave, named or not, hears nothing; bob does.
        await SendAsync(alice, secret.Id, $"<@{dave.UserId}> you cannot see this");
        var hidden = await SendAsync(alice, secret.Id, "@here mods only");
        Assert.DoesNotContain(await InboxAsync(dave), n => n.ChannelId == secret.Id);
        Assert.DoesNotContain(await InboxAsync(carol), n => n.ChannelId == secret.Id);
        Assert.Equal((NotificationKind.Everyone, hidden.Id), ((await InboxAsync(bob))[0].Kind, (await InboxAsync(bob))[0].MessageId));

        // Role mentions suppressed on the server: carol's team is pinged, carol hears nothing more.
        await carol.InvokeAsync<NotificationSetting>("UpdateNotificationSettings", $"guild:{guildId}", null, null, false, true);
        var suppressed = await SendAsync(bob, general.Id, $"<@&{team.Id}> again");
        Assert.DoesNotContain(await InboxAsync(carol), n => n.MessageId == suppressed.Id);
    }

    [Fact]
    public async Task Blocks_and_settings_per_server_and_channel_decide_what_notifies()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));
        await using var carol = await Cluster.ConnectAsync(0, TestUsers.New("carol"));
        var (guildId, general, _) = await GuildSteps.CreateServerAsync(alice, "settings", bob, carol);

        // Carol blocked bob: his mentions of her notify nothing, alice's still do.
        await carol.InvokeAsync<Relationship>("BlockUser", bob.UserId);
        await SendAsync(bob, general.Id, $"<@{carol.UserId}> hello?");
        var fromAlice = await SendAsync(alice, general.Id, $"<@{carol.UserId}> hi");
        Assert.Equal([fromAlice.Id], (await InboxAsync(carol)).Select(n => n.MessageId));

        async Task<NotificationSetting> SetAsync(string scope, NotificationLevel? level, DateTimeOffset? mutedUntil = null, bool suppressEveryone = false, bool suppressRoles = false) =>
            await carol.InvokeAsync<NotificationSetting>("UpdateNotificationSettings", scope, level, mutedUntil, suppressEveryone, suppressRoles);

        async Task<bool> NotifiedByAsync(string content, string channelId)
        {
            var sent = await SendAsync(alice, channelId, content);
            return (await InboxAsync(carol)).Any(n => n.MessageId == sent.Id);
        }

        var mention = $"<@{carol.UserId}> ping";
        await SetAsync($"channel:{general.Id}", NotificationLevel.None);
        Assert.False(await NotifiedByAsync(mention, general.Id));

        // The server says none, the channel says mentions: the channel wins.
        await SetAsync($"guild:{guildId}", NotificationLevel.None);
        await SetAsync($"channel:{general.Id}", NotificationLevel.Mentions);
        Assert.True(await NotifiedByAsync(mention, general.Id));

        // Suppressed @everyone (on the server), and a mute (on the channel) that silences even a mention.
        await SetAsync($"guild:{guildId}", null, suppressEveryone: true);
        Assert.False(await NotifiedByAsync("@everyone hello", general.Id));
        Assert.True(await NotifiedByAsync(mention, general.Id));
        await SetAsync($"channel:{general.Id}", null, mutedUntil: DateTimeOffset.UtcNow.AddHours(1));
        Assert.False(await NotifiedByAsync(mention, general.Id));

        // Level "all" in a new channel: every message by someone else, at low priority.
        var chatter = await alice.InvokeAsync<GuildChannel>("CreateGuildChannel", guildId, new GuildChannelSpec("chatter", GuildChannelType.Text));
        await SetAsync($"channel:{chatter.Id}", NotificationLevel.All);
        var plain = await SendAsync(alice, chatter.Id, "nothing special");
        var message = Assert.Single(await InboxAsync(carol), n => n.MessageId == plain.Id);
        Assert.Equal((NotificationKind.Message, NotificationPriority.Low), (message.Kind, message.Priority));

        var settings = await carol.InvokeAsync<NotificationSetting[]>("GetNotificationSettings");
        Assert.Equal(
            [$"guild:{guildId}", $"channel:{chatter.Id}", $"channel:{general.Id}"],
            settings.Select(s => s.Scope).OrderBy(s => s.StartsWith("guild:") ? 0 : 1).ThenBy(s => s == $"channel:{chatter.Id}" ? 0 : 1));
        Assert.True(Assert.Single(settings, s => s.Scope == $"guild:{guildId}").SuppressEveryone);

        // Back to the defaults: the row goes.
        await SetAsync($"channel:{chatter.Id}", null);
        Assert.DoesNotContain(await carol.InvokeAsync<NotificationSetting[]>("GetNotificationSettings"), s => s.Scope == $"channel:{chatter.Id}");
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => SetAsync(general.Id, NotificationLevel.All));
    }

    [Fact]
    public async Task Friend_requests_their_acceptance_and_invitations_notify_the_user_they_concern()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));

        await alice.InvokeAsync<Relationship>("SendFriendRequest", bob.UserId);
        var request = await bob.NextAsync<Notification>("NotificationCreated");
        Assert.Equal((1L, NotificationKind.FriendRequest, alice.UserId, (string?)null), (request.Seq, request.Kind, request.ActorId, request.ChannelId));
        await bob.InvokeAsync<Relationship>("AcceptFriendRequest", alice.UserId);
        var accepted = await alice.InvokeAsync<Notification[]>("GetNotifications", null, 10, false);
        Assert.Equal((NotificationKind.FriendAccepted, bob.UserId), (Assert.Single(accepted).Kind, accepted[0].ActorId));
        Assert.Equal(accepted[0], await alice.NextAsync<Notification>("NotificationCreated"));

        var channel = await alice.InvokeAsync<ChannelInfo>("CreateChannel", "plans", true);
        await alice.InvokeAsync("InviteToChannel", channel.Id, bob.UserId);
        var invited = await bob.NextAsync<Notification>("NotificationCreated");
        Assert.Equal((2L, NotificationKind.Invitation, alice.UserId, channel.Id, "plans"), (invited.Seq, invited.Kind, invited.ActorId, invited.ChannelId, invited.Excerpt));
    }

    [Fact]
    public async Task An_inbox_is_its_users_own_and_push_subscriptions_are_checked_and_capped()
    {
        var userId = TestUsers.New("alice");
        await using var alice = await Cluster.ConnectAsync(0, userId);
        await using var service = await Cluster.ConnectServiceAsync();
        var inbox = service.Cluster.GetGrain<INotificationGrain>(userId);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => inbox.Get(Caller.Service(TestAccounts.WelcomeBot), null, 10, false));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => inbox.Ack(TestAccounts.User(TestUsers.New("mallory")), 1));

        var key = Base64Url(65);
        var auth = Base64Url(16);
        foreach (var (endpoint, p256dh, secret) in new[]
        {
            ("http://push.example.com/send/1", key, auth), // http only on loopback
            ("not a url", key, auth),
            ("https://push.example.com/send/1", Base64Url(33), auth),
            ("https://push.example.com/send/1", key, "short"),
        })
        {
            await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => alice.InvokeAsync("RegisterPushSubscription", endpoint, p256dh, secret));
        }

        for (var i = 0; i < NotificationLimits.MaxPushSubscriptions + 2; i++)
        {
            await alice.InvokeAsync("RegisterPushSubscription", $"https://push.example.com/send/{userId}/{i}", key, auth);
        }

        var stored = await EndpointsOfAsync(userId);
        Assert.Equal(NotificationLimits.MaxPushSubscriptions, stored.Count);
        Assert.DoesNotContain($"https://push.example.com/send/{userId}/0", stored);
        await alice.InvokeAsync("UnregisterPushSubscription", $"https://push.example.com/send/{userId}/5");
        Assert.DoesNotContain($"https://push.example.com/send/{userId}/5", await EndpointsOfAsync(userId));
    }

    private async Task<List<string>> EndpointsOfAsync(string userId)
    {
        await using var command = fixture.Servers.DataSource.CreateCommand("SELECT endpoint FROM push_subscriptions WHERE user_id = $1");
        command.Parameters.AddWithValue(userId);
        var endpoints = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            endpoints.Add(reader.GetString(0));
        }

        return endpoints;
    }

    private static string Base64Url(int bytes) => System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes));
}
