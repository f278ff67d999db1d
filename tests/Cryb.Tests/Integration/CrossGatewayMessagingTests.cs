using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// The foundation's end-to-end scenario on real processes: two silos, two gateways, PostgreSQL and
/// Redis, users on different gateways, then a restart of everything.
/// </summary>
public sealed class CrossGatewayMessagingTests
{
    [Fact]
    public async Task A_message_reaches_members_on_both_gateways_and_survives_a_full_restart()
    {
        // Servers of its own: restarting the shared ones would break other tests' clusters.
        await using var servers = new TestServers();
        await servers.InitializeAsync();
        await using var cluster = await ProcessCluster.StartAsync(servers);
        string channelId;
        long seq;
        await using (var alice = await cluster.ConnectAsync(gateway: 0, "alice"))
        await using (var bob = await cluster.ConnectAsync(gateway: 1, "bob"))
        {
            var channel = await alice.CreateChannelAsync("general");
            channelId = channel.Id;
            var joined = await bob.JoinChannelAsync(channelId);
            Assert.Equal(0, joined.LatestSeq);

            var sent = await alice.SendMessageAsync(channelId, "hello from gateway 1");
            seq = sent.Seq;

            var seenByAlice = await alice.NextMessageCreatedAsync();
            var seenByBob = await bob.NextMessageCreatedAsync();
            Assert.Equal(1, seq);
            Assert.Equal(sent, seenByAlice);
            Assert.Equal(sent, seenByBob);
        }

        await cluster.StopAllAsync();
        await servers.RestartAsync();
        await cluster.StartAllAsync();

        await using (var alice = await cluster.ConnectAsync(gateway: 1, "alice"))
        await using (var bob = await cluster.ConnectAsync(gateway: 0, "bob"))
        {
            var history = await bob.GetHistoryAsync(channelId);
            var message = Assert.Single(history);
            Assert.Equal(seq, message.Seq);
            Assert.Equal("hello from gateway 1", message.Content);

            // Memberships came back too: bob's new connection is subscribed without joining again.
            var next = await alice.SendMessageAsync(channelId, "after the restart");
            Assert.Equal(seq + 1, next.Seq);
            Assert.Equal(next, await bob.NextMessageCreatedAsync());
        }
    }
}
