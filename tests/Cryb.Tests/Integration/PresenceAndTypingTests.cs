using Cryb.Channels;
using Cryb.Errors;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// Presence and typing between users on different gateways, with timings shortened by
/// configuration (idle after 5 s, offline grace 1 s, gateway lease 3 s, typing expiry 2 s) so that
/// waiting for the events they cause is short. Where the timing itself is the subject (a moment
/// before and at each limit) the grains are tested on a fake clock: <see cref="Grains.PresenceTimingTests"/>
/// and <see cref="Grains.TypingExpiryTests"/>. Each test has its own users; the one that kills a
/// gateway has its own cluster.
/// </summary>
public sealed class PresenceAndTypingTests(TestServers servers, ShortTimingsClusterFixture fixture) : IClassFixture<ShortTimingsClusterFixture>
{
    private ProcessCluster Cluster => fixture.Cluster;

    /// <summary>
    /// Bob (gateway 2) watching Alice (gateway 1) through a channel Bob created and invited her to,
    /// so Alice has never been online before she connects here.
    /// </summary>
    private async Task<(ChatTestClient Alice, ChatTestClient Bob, ChannelInfo Channel)> WatchedAliceAsync(ProcessCluster cluster)
    {
        var aliceId = TestUsers.New("alice");
        var bob = await cluster.ConnectAsync(1, TestUsers.New("bob"));
        var channel = await bob.CreateChannelAsync("presence");
        await bob.InvokeAsync("InviteToChannel", channel.Id, aliceId);
        await Invitations.AcceptAsync(cluster, channel.Id, aliceId);
        var alice = await cluster.ConnectAsync(0, aliceId);
        return (alice, bob, channel);
    }

    private static Task<PresenceInfo> WaitForStatusAsync(ChatTestClient watcher, string userId, PresenceStatus status) =>
        NextPresenceOfAsync(watcher, userId, update => update.Status == status, $"{userId} {status}");

    /// <summary>The first presence update about <paramref name="userId"/> that is <paramref name="what"/>; earlier ones are passed over.</summary>
    private static async Task<PresenceInfo> NextPresenceOfAsync(ChatTestClient watcher, string userId, Func<PresenceInfo, bool> wanted, string what)
    {
        try
        {
            while (true)
            {
                var update = await NextPresenceOfAsync(watcher, userId);
                if (wanted(update))
                {
                    return update;
                }
            }
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{watcher.UserId} heard no presence update of {what}.", timeout);
        }
    }

    /// <summary>The next presence update about <paramref name="userId"/> (the watcher also hears of others, itself included).</summary>
    private static async Task<PresenceInfo> NextPresenceOfAsync(ChatTestClient watcher, string userId, TimeSpan? timeout = null)
    {
        while (true)
        {
            var update = await watcher.NextAsync<PresenceInfo>("PresenceUpdated", timeout);
            if (update.UserId == userId)
            {
                return update;
            }
        }
    }

    [Fact]
    public async Task Chosen_statuses_and_activity_are_seen_by_a_user_on_another_gateway()
    {
        var (alice, bob, _) = await WatchedAliceAsync(Cluster);
        await using var _a = alice;
        await using var _b = bob;

        var online = await WaitForStatusAsync(bob, alice.UserId, PresenceStatus.Online);
        Assert.Equal([DeviceKind.Desktop], online.Devices);

        await alice.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Dnd, new PresenceActivity(ActivityKind.Playing, "chess"));
        var dnd = await NextPresenceOfAsync(bob, alice.UserId);
        Assert.Equal((PresenceStatus.Dnd, new PresenceActivity(ActivityKind.Playing, "chess")), (dnd.Status, dnd.Activity));

        await alice.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Invisible, null);
        var invisible = await NextPresenceOfAsync(bob, alice.UserId);
        Assert.Equal((PresenceStatus.Offline, 0), (invisible.Status, invisible.Devices.Count));

        await alice.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Online, null);
        Assert.Equal(PresenceStatus.Online, (await NextPresenceOfAsync(bob, alice.UserId)).Status);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidStatus, () => alice.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Offline, null));
    }

    [Fact]
    public async Task A_burst_of_changes_goes_out_as_one_update()
    {
        var (alice, bob, _) = await WatchedAliceAsync(Cluster);
        await using var _a = alice;
        await using var _b = bob;
        await WaitForStatusAsync(bob, alice.UserId, PresenceStatus.Online);

        await alice.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Idle, null);
        await alice.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Invisible, null);
        await alice.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Dnd, null);
        Assert.Equal(PresenceStatus.Dnd, (await NextPresenceOfAsync(bob, alice.UserId)).Status);

        // A later, different change is the very next update: nothing from the burst came in between.
        await alice.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Dnd, new PresenceActivity(ActivityKind.Custom, "after the burst"));
        Assert.Equal("after the burst", (await NextPresenceOfAsync(bob, alice.UserId)).Activity?.Name);
    }

    [Fact]
    public async Task An_inactive_user_turns_idle_and_activity_brings_them_back()
    {
        var (alice, bob, _) = await WatchedAliceAsync(Cluster);
        await using var _a = alice;
        await using var _b = bob;
        await WaitForStatusAsync(bob, alice.UserId, PresenceStatus.Online);

        await WaitForStatusAsync(bob, alice.UserId, PresenceStatus.Idle);
        await alice.InvokeAsync("ReportActivity");

        await WaitForStatusAsync(bob, alice.UserId, PresenceStatus.Online);
    }

    /// <summary>
    /// Through the whole stack: a device leaving is heard as the user's devices changing, the last
    /// one leaving as offline with lastSeenAt. The grace period's timing itself (online a moment
    /// before its end, offline at it, a reconnect within it never offline) is pinned on a fake
    /// clock in <see cref="Grains.PresenceTimingTests"/>.
    /// </summary>
    [Fact]
    public async Task A_user_goes_offline_only_when_the_last_device_leaves_and_lastSeenAt_is_kept()
    {
        var (alice, bob, _) = await WatchedAliceAsync(Cluster);
        await using var _b = bob;
        await using var phone = await ChatTestClient.ConnectAsync(Cluster.Gateways[1].Url, await Cluster.TokenAsync(alice.UserId), alice.UserId, device: "mobile");
        await WaitForStatusAsync(bob, alice.UserId, PresenceStatus.Online);

        await alice.DisposeAsync();
        var phoneOnly = await NextPresenceOfAsync(bob, alice.UserId, update => !update.Devices.Contains(DeviceKind.Desktop), "alice without her desktop");
        Assert.Equal((PresenceStatus.Online, DeviceKind.Mobile), (phoneOnly.Status, Assert.Single(phoneOnly.Devices)));

        var before = DateTimeOffset.UtcNow;
        await phone.DisposeAsync();
        var offline = await WaitForStatusAsync(bob, alice.UserId, PresenceStatus.Offline);
        Assert.NotNull(offline.LastSeenAt);
        Assert.InRange(offline.LastSeenAt!.Value, before.AddSeconds(-1), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Presence_is_only_seen_through_a_shared_channel()
    {
        var (alice, bob, _) = await WatchedAliceAsync(Cluster);
        await using var _a = alice;
        await using var _b = bob;
        await using var stranger = await Cluster.ConnectAsync(1, TestUsers.New("stranger"));

        var seen = await bob.InvokeAsync<PresenceInfo[]>("GetPresence", (object)new[] { alice.UserId, stranger.UserId });
        var strangerSees = await stranger.InvokeAsync<PresenceInfo[]>("GetPresence", (object)new[] { alice.UserId });

        Assert.Equal([(alice.UserId, PresenceStatus.Online), (stranger.UserId, PresenceStatus.Offline)], seen.Select(p => (p.UserId, p.Status)));
        Assert.Equal(PresenceStatus.Offline, Assert.Single(strangerSees).Status);
        await Refusals.AssertHubRefusesAsync(ErrorCodes.InvalidArgument,
            () => bob.InvokeAsync<PresenceInfo[]>("GetPresence", (object)Enumerable.Range(0, 201).Select(i => $"u{i}").ToArray()));
    }

    [Fact]
    public async Task Typing_shows_once_renewals_are_silent_sending_ends_it_and_it_expires()
    {
        var (alice, bob, channel) = await WatchedAliceAsync(Cluster);
        await using var _a = alice;
        await using var _b = bob;
        await using var carol = await Cluster.ConnectAsync(0, TestUsers.New("carol"));
        await carol.JoinChannelAsync(channel.Id);
        await using var outsider = await Cluster.ConnectAsync(1, TestUsers.New("outsider"));

        await alice.InvokeAsync("StartTyping", channel.Id);
        Assert.Equal([alice.UserId], (await bob.NextAsync<TypingUpdated>("TypingUpdated")).UserIds);

        await alice.InvokeAsync("StartTyping", channel.Id); // a renewal: no event
        await carol.InvokeAsync("StartTyping", channel.Id);
        Assert.Equal(new[] { alice.UserId, carol.UserId }.Order(StringComparer.Ordinal), (await bob.NextAsync<TypingUpdated>("TypingUpdated")).UserIds);

        await alice.SendMessageAsync(channel.Id, "done typing");
        Assert.Equal([carol.UserId], (await bob.NextAsync<TypingUpdated>("TypingUpdated")).UserIds);

        Assert.Empty((await bob.NextAsync<TypingUpdated>("TypingUpdated", TimeSpan.FromSeconds(6))).UserIds); // carol expired
        await Refusals.AssertHubRefusesAsync(ErrorCodes.NotAMember, () => outsider.InvokeAsync("StartTyping", channel.Id));
        Assert.True(outsider.HasNo("TypingUpdated"));
    }

    [Fact]
    public async Task Stopping_typing_is_heard_at_once()
    {
        var (alice, bob, channel) = await WatchedAliceAsync(Cluster);
        await using var _a = alice;
        await using var _b = bob;

        await alice.InvokeAsync("StartTyping", channel.Id);
        Assert.Single((await bob.NextAsync<TypingUpdated>("TypingUpdated")).UserIds);
        await alice.InvokeAsync("StopTyping", channel.Id);

        Assert.Empty((await bob.NextAsync<TypingUpdated>("TypingUpdated", TimeSpan.FromSeconds(1))).UserIds);
    }

    [Fact]
    public async Task Killing_a_gateway_marks_its_users_offline_without_any_cleanup()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers, settings: ShortTimingsClusterFixture.Settings);
        var (alice, bob, _) = await WatchedAliceAsync(cluster);
        await using var _a = alice;
        await using var _b = bob;
        await WaitForStatusAsync(bob, alice.UserId, PresenceStatus.Online);

        await cluster.Gateways[0].KillAsync();

        // Lease 3 s after the last heartbeat, checked every second. Alice may turn idle first (after
        // 5 s without activity) on a loaded machine; offline must follow within the watcher's wait.
        var offline = await WaitForStatusAsync(bob, alice.UserId, PresenceStatus.Offline);
        Assert.NotNull(offline.LastSeenAt);
    }
}
