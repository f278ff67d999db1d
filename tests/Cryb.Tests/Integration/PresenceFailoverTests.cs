using System.Diagnostics;
using Cryb.Errors;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// A user's live connections are held only in the memory of their presence grain. When the silo
/// holding it is killed, the gateways register their connections with the grain's next activation,
/// and a connection that closed meanwhile still reaches it: others see the truth again within
/// seconds, without anyone reconnecting. Each test kills a silo, so each has a cluster of its own.
/// </summary>
public sealed class PresenceFailoverTests(TestServers servers, ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    /// <summary>The issue's bound: failure detection (Membership__*), the gateways' membership poll, one registration round.</summary>
    private static readonly TimeSpan BackOnlineWithin = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task After_a_kill_9_of_its_presence_silo_a_user_is_online_again_within_10_s_with_every_device_and_still_capped()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers);
        var alice = TestUsers.New("alice");
        var bob = TestUsers.New("bob");
        var token = await cluster.TokenAsync(alice);
        // The cap (Limits__MaxConnectionsPerUser, 5) reached on both gateways, with devices that show
        // only if both register again: desktop is on gateway 1 alone, web and mobile on gateway 0.
        (int Gateway, string Device)[] devices = [(0, "web"), (0, "web"), (0, "mobile"), (1, "desktop"), (1, "desktop")];
        var connections = new List<ChatTestClient>();
        try
        {
            foreach (var (gateway, device) in devices)
            {
                connections.Add(await ChatTestClient.ConnectAsync(cluster.Gateways[gateway].Url, token, alice, device: device));
            }

            var channel = await connections[0].CreateChannelAsync("presence failover");
            await connections[0].InvokeAsync("InviteToChannel", channel.Id, bob);
            await Invitations.AcceptAsync(cluster, channel.Id, bob);
            var host = await PresenceHostAsync(cluster);
            await using var watcher = await cluster.ConnectAsync(1, bob);
            var before = await PresenceOfAsync(watcher, alice);
            Assert.Equal("online: web, mobile, desktop", Shown(before));

            await host.KillAsync();
            var killed = Stopwatch.StartNew();

            // Until the silo is declared dead, bob's lookups fail or time out; then the new activation
            // answers, offline at first, online once the gateways have registered alice's connections.
            PresenceInfo? after = null;
            while (killed.Elapsed < TimeSpan.FromSeconds(60))
            {
                try
                {
                    after = await PresenceOfAsync(watcher, alice).WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
                    if (after.Status == PresenceStatus.Online && after.Devices.Count == 3)
                    {
                        break;
                    }
                }
                catch (Exception ex) when (ex is not ChatException)
                {
                    // The lookup met the dead silo; try again.
                }

                await Task.Delay(200, TestContext.Current.CancellationToken);
            }

            output.WriteLine($"alice online again with {after?.Devices.Count} devices {killed.Elapsed.TotalSeconds:F1} s after the kill");
            Assert.Equal("online: web, mobile, desktop", Shown(after));
            Assert.True(killed.Elapsed <= BackOnlineWithin,
                $"online again after {killed.Elapsed.TotalSeconds:F1} s, more than {BackOnlineWithin.TotalSeconds} s. Gateways:\n{string.Join("\n", cluster.Gateways.Select(gateway => gateway.LogTail(80)))}");
            // The same connections throughout: registered again by their gateways, not reconnected.
            Assert.All(connections, connection => Assert.False(connection.Closed.IsCompleted));
            // Registered again because the silo left, by both gateways, each with all it holds (bob is on gateway 1),
            // not only by a gateway whose presence lease happened to live on the same silo.
            foreach (var gateway in cluster.Gateways)
            {
                await Eventually.WaitUntilAsync(async () => PrometheusText.Sum(await PrometheusText.ScrapeAsync(Http, gateway.Url),
                    "cryb_gateway_presence_registrations_total", ("reason", "silo_lost"), ("outcome", "ok")) >= 3, $"{gateway.Name} to register its connections again");
            }

            // The grain's new activation counts every connection again.
            var refusal = await Refusals.ConnectExpectingCloseAsync(cluster.Gateways[1].Url, token);
            Assert.Contains(ErrorCodes.TooManyConnections, refusal);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_connection_that_closes_while_its_presence_silo_is_dead_still_takes_its_user_offline_for_everyone()
    {
        // The default grace (5 s) outlasts the gateways' subscription checks after the silo change,
        // so the offline change cannot be pushed before the watcher's gateway subscribed again.
        await using var cluster = await ProcessCluster.StartAsync(servers);
        var bob = TestUsers.New("bob");
        await using (var alice = await cluster.ConnectAsync(0, TestUsers.New("alice")))
        {
            var channel = await alice.CreateChannelAsync("closed while lost");
            await alice.InvokeAsync("InviteToChannel", channel.Id, bob);
            await Invitations.AcceptAsync(cluster, channel.Id, bob);
            var host = await PresenceHostAsync(cluster);
            await using var watcher = await cluster.ConnectAsync(1, bob);
            Assert.Equal(PresenceStatus.Online, (await PresenceOfAsync(watcher, alice.UserId)).Status);

            await host.KillAsync();
            await alice.DisposeAsync(); // its gateway's disconnect meets the dead silo

            var offline = await NextPresenceOfAsync(watcher, alice.UserId, PresenceStatus.Offline, TimeSpan.FromSeconds(45));
            Assert.NotNull(offline.LastSeenAt);
        }
    }

    /// <summary>
    /// The silo whose <c>cryb_presence_online</c> counts the only user online: the one holding that
    /// user's presence grain.
    /// </summary>
    private static async Task<ClusterProcess> PresenceHostAsync(ProcessCluster cluster)
    {
        ClusterProcess? host = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            var online = await Task.WhenAll(cluster.Silos.Select(async silo =>
                PrometheusText.Sum(await PrometheusText.ScrapeAsync(Http, silo.Url), "cryb_presence_online")));
            host = online.Sum() == 1 ? cluster.Silos[Array.IndexOf(online, 1)] : null;
            return host is not null;
        }, "one silo to count the user online");
        return host!;
    }

    private static async Task<PresenceInfo> PresenceOfAsync(ChatTestClient watcher, string userId) =>
        Assert.Single(await watcher.InvokeAsync<PresenceInfo[]>("GetPresence", (object)new[] { userId }));

    private static async Task<PresenceInfo> NextPresenceOfAsync(ChatTestClient watcher, string userId, PresenceStatus status, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var update = await watcher.NextAsync<PresenceInfo>("PresenceUpdated", TimeSpan.FromTicks(Math.Max(1, (timeout - deadline.Elapsed).Ticks)));
            if (update.UserId == userId && update.Status == status)
            {
                return update;
            }
        }
    }

    /// <summary>What a watcher shows of a user: status and devices, in a stable order.</summary>
    private static string Shown(PresenceInfo? presence) => presence is null
        ? "nothing"
        : $"{presence.Status.ToString().ToLowerInvariant()}: {string.Join(", ", presence.Devices.Order().Select(device => device.ToString().ToLowerInvariant()))}";
}
