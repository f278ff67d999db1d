using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cryb.Channels;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Notifications;
using Cryb.Presence;
using Cryb.Testing.WebPush;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Push;

/// <summary>
/// The push outbox end to end against a real push service on loopback (<see cref="WebPushReceiver"/>):
/// it decrypts each push with the subscription's private key and checks its VAPID signature, so a
/// push counted here is one a browser would have shown.
/// </summary>
[Collection(PushClusterCollection.Name)]
public sealed class WebPushDeliveryTests(PushClusterFixture fixture)
{
    private WebPushReceiver Receiver => fixture.Receiver;

    [Fact]
    public async Task A_mention_for_an_away_user_arrives_decrypted_with_high_urgency_its_channels_topic_and_a_day_of_TTL()
    {
        var alice = TestUsers.New("alice");
        var subscription = await fixture.SubscribeAsync(alice);
        var channelId = TestUsers.New("channel");
        var notification = await fixture.NotifyAsync(alice, NotificationKind.Mention, channelId, "hi <@alice>");

        var push = await DeliveredAsync(subscription, notification);

        using var json = JsonDocument.Parse(push.Json!);
        var root = json.RootElement;
        Assert.Equal(notification.Id, root.GetProperty("id").GetString());
        Assert.Equal(notification.Seq, root.GetProperty("seq").GetInt64());
        Assert.Equal("mention", root.GetProperty("kind").GetString());
        Assert.Equal("high", root.GetProperty("priority").GetString());
        Assert.Equal("bob", root.GetProperty("actorId").GetString());
        Assert.Equal(channelId, root.GetProperty("channelId").GetString());
        Assert.Equal("hi <@alice>", root.GetProperty("excerpt").GetString());
        Assert.Equal(notification.CreatedAt, root.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal("high", push.Urgency);
        Assert.Equal(Topic($"channel:{channelId}"), push.Topic);
        Assert.Equal(86_400, push.Ttl);
        Assert.Empty(Receiver.Invalid);
        await Eventually.WaitUntilAsync(async () => await fixture.OutboxRowsAsync(subscription.Endpoint) == 0, "the delivered push's outbox row to go");
    }

    [Fact]
    public async Task Nothing_is_pushed_to_a_user_with_an_open_connection_and_the_row_goes()
    {
        var alice = TestUsers.New("alice");
        await Presence(alice).Connect(TestAccounts.User(alice), new PresenceConnection("tab", TestUsers.New("gateway"), DeviceKind.Web));
        var subscription = await fixture.SubscribeAsync(alice);

        await fixture.NotifyAsync(alice, NotificationKind.DirectMessage, TestUsers.New("dm"));

        await Eventually.WaitUntilAsync(async () => await fixture.OutboxRowsAsync(subscription.Endpoint) == 0, "the connected user's outbox row to be dropped");
        Assert.DoesNotContain(Receiver.Attempts, attempt => attempt.Endpoint == subscription.Endpoint);
    }

    [Fact]
    public async Task A_user_who_just_left_is_pushed_once_AwayAfter_has_passed_since_their_last_connection_closed()
    {
        var alice = TestUsers.New("alice");
        var caller = TestAccounts.User(alice);
        await Presence(alice).Connect(caller, new PresenceConnection("tab", TestUsers.New("gateway"), DeviceKind.Web));
        var subscription = await fixture.SubscribeAsync(alice);
        var leftAt = DateTimeOffset.UtcNow; // the grain's away time is this or later
        await Presence(alice).Disconnect(caller, "tab");

        var notification = await fixture.NotifyAsync(alice, NotificationKind.DirectMessage, TestUsers.New("dm"));

        var push = await DeliveredAsync(subscription, notification);
        Assert.True(push.At >= leftAt + PushClusterFixture.AwayAfter,
            $"pushed {(push.At - leftAt).TotalMilliseconds:F0} ms after the user left, before AwayAfter ({PushClusterFixture.AwayAfter.TotalMilliseconds} ms)");
        Assert.Equal("high", push.Urgency);
    }

    [Fact]
    public async Task A_429_is_retried_no_sooner_than_its_Retry_After()
    {
        var alice = TestUsers.New("alice");
        var subscription = await fixture.SubscribeAsync(alice);
        Receiver.Plan(subscription.Endpoint, HttpStatusCode.TooManyRequests, retryAfter: TimeSpan.FromSeconds(2));

        var notification = await fixture.NotifyAsync(alice, NotificationKind.Reply, TestUsers.New("channel"));

        var delivered = await DeliveredAsync(subscription, notification);
        var attempts = Of(subscription);
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.Created], attempts.Select(attempt => attempt.Status));
        Assert.True(delivered.At - attempts[0].At >= TimeSpan.FromSeconds(2),
            $"retried {(delivered.At - attempts[0].At).TotalMilliseconds:F0} ms after a 429 that asked for 2 s");
    }

    [Fact]
    public async Task Server_errors_are_retried_until_the_push_service_takes_the_push()
    {
        var alice = TestUsers.New("alice");
        var subscription = await fixture.SubscribeAsync(alice);
        Receiver.Plan(subscription.Endpoint, HttpStatusCode.InternalServerError, times: 2);

        var notification = await fixture.NotifyAsync(alice, NotificationKind.Mention, TestUsers.New("channel"));

        await DeliveredAsync(subscription, notification);
        Assert.Equal([HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.Created],
            Of(subscription).Select(attempt => attempt.Status));
    }

    [Theory]
    [InlineData(HttpStatusCode.Gone)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task A_subscription_whose_push_service_answers_gone_or_not_found_is_deleted_with_its_pushes_and_the_others_still_get_theirs(HttpStatusCode status)
    {
        var alice = TestUsers.New("alice");
        var dead = await fixture.SubscribeAsync(alice);
        var alive = await fixture.SubscribeAsync(alice);
        Receiver.Plan(dead.Endpoint, status, times: 100);

        var first = await fixture.NotifyAsync(alice, NotificationKind.Mention, TestUsers.New("channel"));
        var second = await fixture.NotifyAsync(alice, NotificationKind.Mention, TestUsers.New("channel"));

        await DeliveredAsync(alive, first);
        await DeliveredAsync(alive, second);
        await Eventually.WaitUntilAsync(async () => !await fixture.SubscriptionExistsAsync(dead.Endpoint) && await fixture.OutboxRowsAsync(dead.Endpoint) == 0,
            $"the subscription answering {(int)status} and its outbox rows to be deleted");
        Assert.True(await fixture.SubscriptionExistsAsync(alive.Endpoint));
        Assert.All(Of(dead), attempt => Assert.Equal(status, attempt.Status));
    }

    [Fact]
    public async Task Pushes_of_one_channel_share_a_topic_other_channels_and_friend_requests_have_their_own_and_urgency_follows_the_kind()
    {
        var alice = TestUsers.New("alice");
        var subscription = await fixture.SubscribeAsync(alice);
        var channel = TestUsers.New("channel");

        var mention = await fixture.NotifyAsync(alice, NotificationKind.Mention, channel);
        var reaction = await fixture.NotifyAsync(alice, NotificationKind.Reaction, channel, "👍");
        var elsewhere = await fixture.NotifyAsync(alice, NotificationKind.Reply, TestUsers.New("channel"));
        var request = await fixture.NotifyAsync(alice, NotificationKind.FriendRequest, null);

        var pushes = new Dictionary<string, PushAttempt>();
        foreach (var notification in new[] { mention, reaction, elsewhere, request })
        {
            pushes[notification.Id] = await DeliveredAsync(subscription, notification);
        }

        Assert.Equal(pushes[mention.Id].Topic, pushes[reaction.Id].Topic);
        Assert.NotEqual(pushes[mention.Id].Topic, pushes[elsewhere.Id].Topic);
        Assert.Equal(Topic("kind:FriendRequest"), pushes[request.Id].Topic);
        Assert.Equal(("high", "low", "normal", "normal"),
            (pushes[mention.Id].EffectiveUrgency, pushes[reaction.Id].EffectiveUrgency, pushes[elsewhere.Id].EffectiveUrgency, pushes[request.Id].EffectiveUrgency));
    }

    [Fact]
    public async Task Each_subscription_gets_a_notification_exactly_once()
    {
        var alice = TestUsers.New("alice");
        var phone = await fixture.SubscribeAsync(alice);
        var laptop = await fixture.SubscribeAsync(alice);
        var notification = await fixture.NotifyAsync(alice, NotificationKind.DirectMessage, TestUsers.New("dm"));
        await DeliveredAsync(phone, notification);
        await DeliveredAsync(laptop, notification);

        // The outbox is worked in due order: once a later notification has arrived on both, a second
        // copy of the first, had any silo kept its row, would have arrived before it.
        var later = await fixture.NotifyAsync(alice, NotificationKind.DirectMessage, TestUsers.New("dm"));
        await DeliveredAsync(phone, later);
        await DeliveredAsync(laptop, later);

        Assert.Single(Of(phone), attempt => attempt.NotificationId == notification.Id);
        Assert.Single(Of(laptop), attempt => attempt.NotificationId == notification.Id);
    }

    [Fact]
    public async Task A_direct_message_from_bob_reaches_offline_alices_registered_browser_as_a_push_end_to_end()
    {
        var alice = TestAccounts.User(TestUsers.New("alice"));
        var bob = TestAccounts.User(TestUsers.New("bob"));
        var browser = Receiver.Subscribe();
        await fixture.Client.GetGrain<INotificationGrain>(alice.Id).RegisterPushSubscription(alice, new PushSubscription(browser.Endpoint, browser.P256dh, browser.Auth));
        await DirectMessagePrivacy.OpenToEveryoneAsync(fixture.Client, alice.Id);
        var channelId = DirectMessages.ChannelId(bob.Id, alice.Id);
        await fixture.Client.GetGrain<IChannelGrain>(channelId).OpenDirect(bob, alice.Id);

        var message = await fixture.Client.GetGrain<IChannelGrain>(channelId).SendMessage(bob, new SendMessageRequest("are you there?"));

        var push = (await Receiver.WaitForAsync(all => all.Any(attempt => attempt.Endpoint == browser.Endpoint && attempt.Status == HttpStatusCode.Created),
            "bob's direct message to reach alice's browser")).Single(attempt => attempt.Endpoint == browser.Endpoint);
        using var json = JsonDocument.Parse(push.Json!);
        var root = json.RootElement;
        Assert.Equal(("directMessage", bob.Id, channelId, message.Id, "are you there?"),
            (root.GetProperty("kind").GetString(), root.GetProperty("actorId").GetString(), root.GetProperty("channelId").GetString(),
             root.GetProperty("messageId").GetString(), root.GetProperty("excerpt").GetString()));
        Assert.Equal("high", push.Urgency);
        Assert.Equal(Topic($"channel:{channelId}"), push.Topic);
        var inbox = await fixture.Client.GetGrain<INotificationGrain>(alice.Id).Get(alice, null, 10, unreadOnly: false);
        Assert.Equal(inbox.Single().Id, root.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_subscription_with_unusable_keys_loses_its_push_without_holding_up_the_others()
    {
        var alice = TestUsers.New("alice");
        var good = await fixture.SubscribeAsync(alice);
        var broken = fixture.Receiver.Subscribe();
        await fixture.SubscribeAsync(alice, broken with { P256dh = "AAAA" });

        var notification = await fixture.NotifyAsync(alice, NotificationKind.Mention, TestUsers.New("channel"));

        await DeliveredAsync(good, notification);
        await Eventually.WaitUntilAsync(async () => await fixture.OutboxRowsAsync(broken.Endpoint) == 0, "the unusable subscription's row to be dropped");
        Assert.DoesNotContain(Receiver.Attempts, attempt => attempt.Endpoint == broken.Endpoint);
    }

    [Fact]
    public async Task Gateways_read_the_clusters_VAPID_public_key_for_browsers_to_subscribe_with()
    {
        var key = await fixture.Client.GetGrain<IPushKeyGrain>(0).GetPublicKey(TestAccounts.User(TestUsers.New("alice")));

        Assert.Equal(fixture.Vapid.PublicKey, key);
    }

    [Fact]
    public async Task A_clients_call_to_the_silo_internal_AwaySince_is_refused()
    {
        var refused = await Assert.ThrowsAsync<Cryb.Errors.ChatException>(() => Presence(TestUsers.New("alice")).AwaySince());

        Assert.Equal(Cryb.Errors.ErrorCodes.Unauthenticated, refused.Code);
    }

    private IPresenceGrain Presence(string userId) => fixture.Client.GetGrain<IPresenceGrain>(userId);

    private PushAttempt[] Of(ReceiverSubscription subscription) =>
        Receiver.Attempts.Where(attempt => attempt.Endpoint == subscription.Endpoint).ToArray();

    private async Task<PushAttempt> DeliveredAsync(ReceiverSubscription subscription, Notification notification)
    {
        var attempts = await Receiver.WaitForAsync(
            all => all.Any(attempt => attempt.Endpoint == subscription.Endpoint && attempt.Status == HttpStatusCode.Created && attempt.NotificationId == notification.Id),
            $"the push of notification {notification.Id} ({notification.Kind}) to {subscription.Endpoint}");
        return attempts.First(attempt => attempt.Endpoint == subscription.Endpoint && attempt.Status == HttpStatusCode.Created && attempt.NotificationId == notification.Id);
    }

    /// <summary>The topic as the spec defines it, computed here independently: SHA-256, base64url, 32 characters.</summary>
    private static string Topic(string scope) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(scope))).Replace('+', '-').Replace('/', '_')[..32];
}
