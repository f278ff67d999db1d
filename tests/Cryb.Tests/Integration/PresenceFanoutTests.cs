using Cryb.Gateway.Fanout;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// Presence travels per gateway, not per channel: a change of a user who shares many channels with
/// others costs one push to each gateway, and each connection hears it once.
/// </summary>
public sealed class PresenceFanoutTests(TestServers servers)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    [Fact]
    public async Task A_change_of_a_user_in_ten_shared_channels_is_one_push_per_gateway_and_one_update_per_connection()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers);
        var aliceId = TestUsers.New("alice");
        await using var bob = await cluster.ConnectAsync(1, TestUsers.New("bob"));
        await using (var service = await cluster.ConnectServiceAsync())
        {
            for (var i = 0; i < 10; i++)
            {
                var channel = await bob.CreateChannelAsync($"shared {i}");
                await bob.InvokeAsync("InviteToChannel", channel.Id, aliceId);
                await Invitations.AcceptAsync(service.Cluster, channel.Id, aliceId);
            }
        }

        await using var alice = await cluster.ConnectAsync(0, aliceId);
        await WaitForAsync(bob, aliceId, PresenceStatus.Online);
        // Let every change of the connects go out (coalescing 250 ms, feed batches 20 ms).
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        bob.TakePending<PresenceInfo>("PresenceUpdated");
        var pushesBefore = await PresencePushesAsync(cluster);

        await alice.InvokeAsync<PresenceInfo>("SetPresence", PresenceStatus.Dnd, null);

        Assert.Equal(PresenceStatus.Dnd, (await NextOfAsync(bob, aliceId)).Status);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(bob.TakePending<PresenceInfo>("PresenceUpdated"), update => update.UserId == aliceId);
        // Both gateways subscribe to the presence feeds: two pushes, not one per shared channel.
        Assert.Equal(2, await PresencePushesAsync(cluster) - pushesBefore);
    }

    [Fact]
    public async Task Users_coming_online_together_reach_a_watcher_in_one_frame_per_batch_interval()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers);
        await using var bob = await cluster.ConnectAsync(0, TestUsers.New("bob"));
        var channel = await bob.CreateChannelAsync("arrivals");
        var arrivals = Enumerable.Range(0, 20).Select(i => TestUsers.New($"arrival{i}")).ToArray();
        await Invitations.InviteAsync(cluster, bob, channel.Id, arrivals);

        var connected = await Task.WhenAll(arrivals.Select((userId, i) => cluster.ConnectAsync(i % 2, userId)));
        try
        {
            var online = new HashSet<string>();
            while (!online.IsSupersetOf(arrivals))
            {
                var update = await bob.NextAsync<PresenceInfo>("PresenceUpdated", TimeSpan.FromSeconds(20));
                if (update.Status == PresenceStatus.Online)
                {
                    online.Add(update.UserId);
                }
            }

            // The gateway sends a connection at most one presence frame per interval: however the
            // twenty arrivals spread, the frames cannot outnumber the intervals they came in (one
            // more at each end for a flush that ran late).
            var frames = bob.TakePending<PresenceFrame>(ChatTestClient.PresenceFrames);
            var span = frames[^1].ReceivedAt - frames[0].ReceivedAt;
            Assert.InRange(frames.Count, 1, (int)(span / PresenceBatches.Interval) + 2);
        }
        finally
        {
            foreach (var client in connected)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task<double> PresencePushesAsync(ProcessCluster cluster)
    {
        var total = 0.0;
        foreach (var silo in cluster.Silos)
        {
            var metrics = await PrometheusText.ScrapeAsync(Http, silo.Url);
            total += PrometheusText.Sum(metrics, "cryb_streams_pushes_total", ("namespace", "presence"));
        }

        return total;
    }

    private static async Task WaitForAsync(ChatTestClient watcher, string userId, PresenceStatus status)
    {
        while ((await NextOfAsync(watcher, userId)).Status != status)
        {
        }
    }

    private static async Task<PresenceInfo> NextOfAsync(ChatTestClient watcher, string userId)
    {
        while (true)
        {
            var update = await watcher.NextAsync<PresenceInfo>("PresenceUpdated", TimeSpan.FromSeconds(20));
            if (update.UserId == userId)
            {
                return update;
            }
        }
    }
}
