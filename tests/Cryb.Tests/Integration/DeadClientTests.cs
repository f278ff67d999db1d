using System.Diagnostics;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// A client whose network vanished without closing anything (no FIN, no RST) must not hold its
/// connection, or its user's presence, forever: the gateway's client timeout
/// (<c>Gateway__Hub__ClientTimeout</c>, 20 s) closes it and presence's grace (5 s) takes the user
/// offline, within 30 s, with the shipped settings.
/// </summary>
public sealed class DeadClientTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private static readonly TimeSpan ShownOfflineWithin = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_client_that_vanishes_without_closing_is_closed_and_shown_offline_within_30_s()
    {
        var cluster = fixture.Cluster;
        var (aliceId, bobId) = (TestUsers.New("alice"), TestUsers.New("bob"));
        await using var proxy = new FreezableTcpProxy(new Uri(cluster.Gateways[0].Url).Port);
        await using var alice = await ChatTestClient.ConnectAsync(proxy.Url, await cluster.TokenAsync(aliceId), aliceId);
        var channel = await alice.CreateChannelAsync("dead client");
        await alice.InvokeAsync("InviteToChannel", channel.Id, bobId);
        await Invitations.AcceptAsync(cluster, channel.Id, bobId);
        await using var bob = await cluster.ConnectAsync(1, bobId);
        var seen = await bob.InvokeAsync<PresenceInfo[]>("GetPresence", (object)new[] { aliceId });
        Assert.Equal(PresenceStatus.Online, Assert.Single(seen).Status);

        // Alice's last word, so the gateway's 20 s count starts here: a call answered through the proxy.
        await alice.InvokeAsync<PresenceInfo[]>("GetPresence", (object)new[] { bobId });
        proxy.Freeze();
        var frozen = Stopwatch.StartNew();

        while (true)
        {
            var update = await bob.NextAsync<PresenceInfo>("PresenceUpdated", ShownOfflineWithin - frozen.Elapsed);
            if (update.UserId == aliceId && update.Status == PresenceStatus.Offline)
            {
                break;
            }
        }

        // Not before the client timeout: a client silent for less (a pause of its timers) keeps its connection.
        Assert.InRange(frozen.Elapsed, TimeSpan.FromSeconds(20), ShownOfflineWithin);
        TestContext.Current.TestOutputHelper?.WriteLine($"shown offline {frozen.Elapsed.TotalSeconds:0.0} s after the network went silent");
        // Alice's client is still waiting on the silent network: closing the proxy ends its wait now.
        await proxy.DisposeAsync();
    }
}
