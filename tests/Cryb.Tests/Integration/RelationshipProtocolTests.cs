using Cryb.Channels;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Messages;
using Cryb.Presence;
using Cryb.Relationships;
using Cryb.Tests.Infrastructure;
using static Cryb.Tests.Integration.RelationshipSteps;

namespace Cryb.Tests.Integration;

/// <summary>
/// Friends, requests and blocks over the real SignalR protocol, on two gateways: every method and
/// refusal, the events each side's devices hear, and where presence and typing go (friends with
/// nothing shared hear each other; a blocked user hears nothing of the blocker).
/// </summary>
public sealed class RelationshipProtocolTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private ProcessCluster Cluster => fixture.Cluster;

    /// <summary>Gives the user <paramref name="count"/> relationships of one kind (both sides' kinds) with users who never connected, straight into the table.</summary>
    private async Task SeedAsync(string userId, int count, RelationshipKind mine, RelationshipKind theirs)
    {
        await using var command = fixture.Servers.DataSource.CreateCommand("""
            INSERT INTO relationships (low_id, high_id, low_kind, high_kind, low_since, high_since, version)
            SELECT low_id, high_id, low_kind, high_kind,
                   CASE WHEN low_kind = 0 THEN NULL ELSE now() END, CASE WHEN high_kind = 0 THEN NULL ELSE now() END, 1
              FROM (SELECT least($1, other) AS low_id, greatest($1, other) AS high_id,
                           CASE WHEN $1 < other THEN $3 ELSE $4 END AS low_kind, CASE WHEN $1 < other THEN $4 ELSE $3 END AS high_kind
                      FROM (SELECT $2 || i AS other FROM generate_series(1, $5) AS i) AS others) AS pairs
            """);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue($"seeded-{Guid.NewGuid():N}"[..20] + "-");
        command.Parameters.AddWithValue((short)mine);
        command.Parameters.AddWithValue((short)theirs);
        command.Parameters.AddWithValue(count);
        Assert.Equal(count, await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_friend_request_accepted_makes_friends_on_every_device_and_friends_see_each_others_presence_with_nothing_shared()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var alicesPhone = await Cluster.ConnectAsync(1, alice.UserId);
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));

        var sent = await alice.InvokeAsync<Relationship>("SendFriendRequest", bob.UserId);
        Assert.Equal((bob.UserId, RelationshipKind.Outgoing), (sent.UserId, sent.Kind));
        await NextRelationshipAsync(alice, "RelationshipAdded", bob.UserId, RelationshipKind.Outgoing);
        await NextRelationshipAsync(alicesPhone, "RelationshipAdded", bob.UserId, RelationshipKind.Outgoing);
        var incoming = await NextRelationshipAsync(bob, "RelationshipAdded", alice.UserId, RelationshipKind.Incoming);
        Assert.Equal(sent.Version, incoming.Version);

        // Asking again changes nothing.
        Assert.Equal(sent, await alice.InvokeAsync<Relationship>("SendFriendRequest", bob.UserId));

        var accepted = await bob.InvokeAsync<Relationship>("AcceptFriendRequest", alice.UserId);
        Assert.Equal(RelationshipKind.Friend, accepted.Kind);
        Assert.True(accepted.Version > sent.Version);
        await NextRelationshipAsync(bob, "RelationshipUpdated", alice.UserId, RelationshipKind.Friend);
        await NextRelationshipAsync(alice, "RelationshipUpdated", bob.UserId, RelationshipKind.Friend);
        await NextRelationshipAsync(alicesPhone, "RelationshipUpdated", bob.UserId, RelationshipKind.Friend);
        Assert.Equal([(bob.UserId, RelationshipKind.Friend)], (await alice.InvokeAsync<Relationship[]>("GetRelationships")).Select(r => (r.UserId, r.Kind)));

        // No channel or server shared: presence goes to friends anyway, on both gateways.
        await bob.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Dnd, null);
        await GuildSteps.PresenceOfAsync(alice, bob.UserId, PresenceStatus.Dnd);
        await GuildSteps.PresenceOfAsync(alicesPhone, bob.UserId, PresenceStatus.Dnd);
        Assert.Equal(PresenceStatus.Dnd, Assert.Single(await alice.InvokeAsync<PresenceInfo[]>("GetPresence", (object)new[] { bob.UserId })).Status);

        // A new device hears of the friend in Ready, with the friend's presence.
        await using var alicesTablet = await Cluster.ConnectAsync(1, alice.UserId);
        var ready = await alicesTablet.NextAsync<ReadyEvent>("Ready");
        Assert.Equal((bob.UserId, RelationshipKind.Friend), (Assert.Single(ready.Relationships).UserId, ready.Relationships[0].Kind));
        Assert.Equal(PresenceStatus.Dnd, Assert.Single(ready.FriendPresences, p => p.UserId == bob.UserId).Status);

        // A friend going invisible looks offline.
        await bob.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Invisible, null);
        await GuildSteps.PresenceOfAsync(alice, bob.UserId, PresenceStatus.Offline);

        // Unfriended: both sides hear it, and presence stops. Dave, bob's friend on alice's gateway,
        // hears bob's next change: that gateway decided both from the one event.
        await using var dave = await Cluster.ConnectAsync(0, TestUsers.New("dave"));
        await BefriendAsync(dave, bob);
        await alice.InvokeAsync("RemoveFriend", bob.UserId);
        Assert.Equal(bob.UserId, (await alice.NextAsync<RelationshipGoneEvent>("RelationshipRemoved")).UserId);
        Assert.Equal(alice.UserId, (await bob.NextAsync<RelationshipGoneEvent>("RelationshipRemoved")).UserId);
        alice.TakePending<PresenceInfo>("PresenceUpdated");
        await bob.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Idle, null);
        await GuildSteps.PresenceOfAsync(dave, bob.UserId, PresenceStatus.Idle);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(alice.TakePending<PresenceInfo>("PresenceUpdated"), p => p.UserId == bob.UserId);
        Assert.Equal(PresenceStatus.Offline, Assert.Single(await alice.InvokeAsync<PresenceInfo[]>("GetPresence", (object)new[] { bob.UserId })).Status);
    }

    [Fact]
    public async Task Requests_crossing_make_friends_and_declined_or_cancelled_requests_leave_nothing()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));
        await alice.InvokeAsync<Relationship>("SendFriendRequest", bob.UserId);
        await NextRelationshipAsync(bob, "RelationshipAdded", alice.UserId, RelationshipKind.Incoming);
        // Bob asks back instead of accepting: that accepts.
        Assert.Equal(RelationshipKind.Friend, (await bob.InvokeAsync<Relationship>("SendFriendRequest", alice.UserId)).Kind);
        await NextRelationshipAsync(alice, "RelationshipAdded", bob.UserId, RelationshipKind.Outgoing);
        await NextRelationshipAsync(alice, "RelationshipUpdated", bob.UserId, RelationshipKind.Friend);

        await using var carol = await Cluster.ConnectAsync(0, TestUsers.New("carol"));
        await carol.InvokeAsync<Relationship>("SendFriendRequest", alice.UserId);
        await NextRelationshipAsync(alice, "RelationshipAdded", carol.UserId, RelationshipKind.Incoming);
        await alice.InvokeAsync("DeclineFriendRequest", carol.UserId);
        Assert.Equal(alice.UserId, (await carol.NextAsync<RelationshipGoneEvent>("RelationshipRemoved")).UserId);
        await carol.InvokeAsync<Relationship>("SendFriendRequest", alice.UserId);
        await carol.InvokeAsync("CancelFriendRequest", alice.UserId);
        Assert.Equal([bob.UserId], (await alice.InvokeAsync<Relationship[]>("GetRelationships")).Select(r => r.UserId));
        Assert.Empty(await carol.InvokeAsync<Relationship[]>("GetRelationships"));

        await Refusals.AssertHubRefusesAsync(ErrorCodes.RequestNotFound, () => alice.InvokeAsync("AcceptFriendRequest", carol.UserId));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.RequestNotFound, () => alice.InvokeAsync("DeclineFriendRequest", carol.UserId));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.RequestNotFound, () => alice.InvokeAsync("CancelFriendRequest", carol.UserId));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.NotFriends, () => alice.InvokeAsync("RemoveFriend", carol.UserId));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.NotBlocked, () => alice.InvokeAsync("UnblockUser", carol.UserId));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => alice.InvokeAsync("SendFriendRequest", alice.UserId));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => alice.InvokeAsync("SendFriendRequest", "not an id!"));
        Assert.Equal([bob.UserId], (await alice.InvokeAsync<Relationship[]>("GetRelationships")).Select(r => r.UserId));
    }

    [Fact]
    public async Task A_blocked_user_cannot_reach_the_blocker_and_hears_nothing_of_their_presence_or_typing()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));
        await using var carol = await Cluster.ConnectAsync(1, TestUsers.New("carol"));
        var (guildId, general, _) = await GuildSteps.CreateServerAsync(alice, "block", bob, carol);
        await BefriendAsync(bob, alice);
        var direct = await bob.InvokeAsync<ChannelInfo>("OpenDirectMessage", alice.UserId);
        await bob.SendMessageAsync(direct.Id, "hi before");

        // Alice blocks bob: she sees him blocked; he sees only the friendship go.
        Assert.Equal(RelationshipKind.Blocked, (await alice.InvokeAsync<Relationship>("BlockUser", bob.UserId)).Kind);
        await NextRelationshipAsync(alice, "RelationshipUpdated", bob.UserId, RelationshipKind.Blocked);
        Assert.Equal(alice.UserId, (await bob.NextAsync<RelationshipGoneEvent>("RelationshipRemoved")).UserId);
        Assert.Empty(await bob.InvokeAsync<Relationship[]>("GetRelationships"));

        await Refusals.AssertHubRefusesAsync(ErrorCodes.Blocked, () => bob.InvokeAsync("SendFriendRequest", alice.UserId));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Blocked, () => bob.InvokeAsync("OpenDirectMessage", alice.UserId));
        var bobs = await bob.CreateChannelAsync("bob's place");
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Blocked, () => bob.InvokeAsync("InviteToChannel", bobs.Id, alice.UserId));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Blocked, () => bob.SendMessageAsync(direct.Id, "still there?"));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Blocked, () => alice.SendMessageAsync(direct.Id, "nor from me"));
        Assert.Equal(["hi before"], (await alice.GetHistoryAsync(direct.Id)).Select(m => m.Content));

        // Presence: carol (a co-member, on bob's gateway) hears alice; bob, though in the same
        // server, does not. Both were decided from the one event there: a moment after carol has
        // it, anything sent to bob would have come too. What was decided before the block (alice's
        // coming online, 250 ms coalescing) may still be in a 250 ms batch: let it out first.
        await Task.Delay(TimeSpan.FromMilliseconds(600), TestContext.Current.CancellationToken);
        bob.TakePending<PresenceInfo>("PresenceUpdated");
        await alice.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Dnd, null);
        await GuildSteps.PresenceOfAsync(carol, alice.UserId, PresenceStatus.Dnd);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        var leaked = bob.TakePending<PresenceInfo>("PresenceUpdated").Where(p => p.UserId == alice.UserId).ToArray();
        Assert.True(leaked.Length == 0, $"bob was sent alice's presence: {string.Join(", ", leaked.Select(p => p.Status))}");
        Assert.Equal(PresenceStatus.Offline, Assert.Single(await bob.InvokeAsync<PresenceInfo[]>("GetPresence", (object)new[] { alice.UserId })).Status);
        // Nor in the server's state a new device of his is sent (GuildCreated's presences); carol's has it.
        await using var bobsPhone = await Cluster.ConnectAsync(0, bob.UserId);
        var server = Assert.Single((await bobsPhone.NextAsync<ReadyEvent>("Ready")).Guilds!, guild => guild.Guild.Id == guildId);
        Assert.True(server.Presences.All(presence => presence.UserId != alice.UserId), "GuildCreated gave bob alice's presence");
        await using var carolsPhone = await Cluster.ConnectAsync(0, carol.UserId);
        Assert.Contains(Assert.Single((await carolsPhone.NextAsync<ReadyEvent>("Ready")).Guilds!).Presences, presence => presence.UserId == alice.UserId);

        // Typing in the server's channel: carol sees alice and bob typing, bob sees only himself.
        bob.TakePending<TypingUpdated>("TypingUpdated");
        await bob.InvokeAsync("StartTyping", general.Id);
        await alice.InvokeAsync("StartTyping", general.Id);
        while ((await carol.NextAsync<TypingUpdated>("TypingUpdated")).UserIds.Count < 2)
        {
        }

        await Task.Delay(300, TestContext.Current.CancellationToken);
        var seenByBob = bob.TakePending<TypingUpdated>("TypingUpdated");
        Assert.Contains(seenByBob, typing => typing.UserIds.Contains(bob.UserId));
        Assert.All(seenByBob, typing => Assert.DoesNotContain(alice.UserId, typing.UserIds));

        // Messages in a shared server channel still arrive (clients collapse them by their own block list).
        await alice.SendMessageAsync(general.Id, "server-wide");
        while ((await bob.NextMessageCreatedAsync()).Content != "server-wide")
        {
        }

        // Unblocking restores nothing, but the direct message can be used again.
        await alice.InvokeAsync("UnblockUser", bob.UserId);
        Assert.Equal(bob.UserId, (await alice.NextAsync<RelationshipGoneEvent>("RelationshipRemoved")).UserId);
        Assert.Empty(await alice.InvokeAsync<Relationship[]>("GetRelationships"));
        Assert.Equal("back", (await bob.SendMessageAsync(direct.Id, "back")).Content);
    }

    [Fact]
    public async Task Privacy_settings_decide_who_may_open_a_direct_message_or_send_a_request()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var stranger = await Cluster.ConnectAsync(1, TestUsers.New("stranger"));
        await using var member = await Cluster.ConnectAsync(1, TestUsers.New("member"));
        Assert.Equal(PrivacySettings.Default, await alice.InvokeAsync<PrivacySettings>("GetPrivacySettings"));
        await GuildSteps.CreateServerAsync(alice, "privacy", member);

        // The default: direct messages from server members and friends, not strangers.
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Blocked, () => stranger.InvokeAsync("OpenDirectMessage", alice.UserId));
        await member.InvokeAsync<ChannelInfo>("OpenDirectMessage", alice.UserId);

        await alice.InvokeAsync<PrivacySettings>("SetPrivacySettings", new PrivacySettings(DirectMessagesFrom.Everyone, FriendRequestsFrom.Nobody));
        await stranger.InvokeAsync<ChannelInfo>("OpenDirectMessage", alice.UserId);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Blocked, () => stranger.InvokeAsync("SendFriendRequest", alice.UserId));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Blocked, () => member.InvokeAsync("SendFriendRequest", alice.UserId));

        await alice.InvokeAsync<PrivacySettings>("SetPrivacySettings", new PrivacySettings(DirectMessagesFrom.Friends, FriendRequestsFrom.ServerMembers));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Blocked, () => stranger.InvokeAsync("SendFriendRequest", alice.UserId));
        await member.InvokeAsync<Relationship>("SendFriendRequest", alice.UserId);
        await using var newcomer = await Cluster.ConnectAsync(0, TestUsers.New("newcomer"));
        await GuildSteps.CreateServerAsync(newcomer, "elsewhere");
        await Refusals.AssertHubRefusesAsync(ErrorCodes.Blocked, () => newcomer.InvokeAsync("OpenDirectMessage", alice.UserId));
        // A conversation already open stays open.
        await stranger.InvokeAsync<ChannelInfo>("OpenDirectMessage", alice.UserId);

        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument, () => alice.InvokeAsync("SetPrivacySettings", new { directMessages = 7, friendRequests = 0 }));
        Assert.Equal(new PrivacySettings(DirectMessagesFrom.Friends, FriendRequestsFrom.ServerMembers), await alice.InvokeAsync<PrivacySettings>("GetPrivacySettings"));
    }

    [Fact]
    public async Task A_thousand_friends_and_five_thousand_blocks_are_the_caps()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        var popularId = TestUsers.New("popular");
        await SeedAsync(popularId, RelationshipLimits.MaxFriends, RelationshipKind.Friend, RelationshipKind.Friend);
        await SeedAsync(popularId, RelationshipLimits.MaxBlocked, RelationshipKind.Blocked, RelationshipKind.None);
        await using var popular = await Cluster.ConnectAsync(1, popularId);
        Assert.Equal(RelationshipLimits.MaxFriends + RelationshipLimits.MaxBlocked, (await popular.NextAsync<ReadyEvent>("Ready")).Relationships.Length);

        // A request may come; accepting it would make 1,001, from either side.
        await alice.InvokeAsync<Relationship>("SendFriendRequest", popularId);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.LimitReached, () => popular.InvokeAsync("AcceptFriendRequest", alice.UserId));
        await popular.InvokeAsync("DeclineFriendRequest", alice.UserId);
        await popular.InvokeAsync<Relationship>("SendFriendRequest", alice.UserId);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.LimitReached, () => alice.InvokeAsync("AcceptFriendRequest", popularId));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.LimitReached, () => popular.InvokeAsync("BlockUser", alice.UserId));
        Assert.Equal(RelationshipKind.Incoming, Assert.Single(await alice.InvokeAsync<Relationship[]>("GetRelationships")).Kind);
    }

    [Fact]
    public async Task Fifty_friend_requests_a_day_then_rate_limited_and_cancelling_does_not_give_one_back()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        var others = Enumerable.Range(0, RelationshipLimits.MaxRequestsPerWindow + 1).Select(i => TestUsers.New($"other{i}")).ToArray();
        foreach (var other in others[..RelationshipLimits.MaxRequestsPerWindow])
        {
            await alice.InvokeAsync<Relationship>("SendFriendRequest", other);
        }

        await alice.InvokeAsync("CancelFriendRequest", others[0]);
        var refusal = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => alice.InvokeAsync("SendFriendRequest", others[^1]));
        Assert.Equal(ErrorCodes.RateLimited, Refusals.CodeOf(refusal));
        var retryAfterMs = long.Parse(System.Text.RegularExpressions.Regex.Match(refusal.Message, @"retryAfterMs=(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfterMs, TimeSpan.FromHours(23).TotalMilliseconds, TimeSpan.FromHours(24).TotalMilliseconds);
        Assert.Equal(RelationshipLimits.MaxRequestsPerWindow - 1, (await alice.InvokeAsync<Relationship[]>("GetRelationships")).Length);
    }
}
