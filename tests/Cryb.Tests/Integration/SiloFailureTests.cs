using System.Diagnostics;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// Silos killed with SIGKILL under gateways that stay up: the memory streams lose what they held,
/// and a gateway may lose its subscriptions, yet a client connected throughout, which never
/// reconnects, sees every message once, in seq order. The streams are the wake-up call; the channel
/// grain and PostgreSQL are the truth. Each test has a cluster of its own, because it kills it.
/// </summary>
public sealed class SiloFailureTests(TestServers servers, ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    [Fact]
    public async Task A_gateway_whose_subscription_the_cluster_dropped_resubscribes_by_itself_and_delivers_what_it_missed_in_order()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers);
        await using var alice = await cluster.ConnectAsync(0, "alice");
        await using var bob = await cluster.ConnectAsync(1, "bob");
        var channel = await alice.CreateChannelAsync("dropped subscription");
        await bob.JoinChannelAsync(channel.Id);
        var sent = new List<ChatMessage> { await alice.SendMessageAsync(channel.Id, "before") };
        Assert.Equal(sent[0], await bob.NextMessageCreatedAsync());

        // Bob's gateway cannot answer while every silo dies and comes back, and the cluster forgets
        // its subscription: the PubSub state is gone, as after a lost or restored database (Orleans
        // also drops a consumer whose client does not answer a delivery, but only if one is tried
        // while it is away). Without a health check the gateway would stay silent for this channel
        // however long it runs.
        var bobsGateway = cluster.Gateways[1];
        Shell.Signal(bobsGateway.ProcessId, 19);
        try
        {
            foreach (var silo in cluster.Silos)
            {
                await silo.KillAsync();
            }

            Assert.True(await ForgetStreamSubscriptionsAsync(cluster.ClusterId) >= 1);

            foreach (var silo in cluster.Silos)
            {
                silo.Start();
            }

            await Task.WhenAll(cluster.Silos.Append(cluster.Gateways[0]).Select(process => process.WaitReadyAsync(TimeSpan.FromSeconds(180))));
            // The first send after the restart may meet a cluster still settling: the client retries.
            sent.Add(await alice.SendUntilAcknowledgedAsync(channel.Id, "while bob's gateway was away 1", nonce: "away-1"));
            sent.Add(await alice.SendMessageAsync(channel.Id, "while bob's gateway was away 2"));
        }
        finally
        {
            Shell.Signal(bobsGateway.ProcessId, 18);
        }

        var resumed = Stopwatch.StartNew();
        var missed = new[] { await bob.NextMessageCreatedAsync(TimeSpan.FromSeconds(60)), await bob.NextMessageCreatedAsync(TimeSpan.FromSeconds(30)) };
        output.WriteLine($"bob's gateway delivered what it missed {resumed.ElapsedMilliseconds} ms after it was resumed");
        sent.Add(await alice.SendMessageAsync(channel.Id, "after"));
        var after = await bob.NextMessageCreatedAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(sent[1..], [.. missed, after]);
        Assert.Equal([1, 2, 3, 4], sent.Select(message => message.Seq));
        await AssertNothingMoreAsync(bob);
        Assert.False(bob.Closed.IsCompleted); // the same connection throughout
        var metrics = await PrometheusText.ScrapeAsync(Http, bobsGateway.Url);
        Assert.True(PrometheusText.Sum(metrics, "cryb_gateway_stream_resubscriptions_total", ("stream", "channel")) >= 1);
    }

    /// <summary>Deletes the cluster's PubSub grain state (its stream subscriptions); returns the rows deleted.</summary>
    private async Task<int> ForgetStreamSubscriptionsAsync(string serviceId)
    {
        await using var command = servers.DataSource.CreateCommand(
            "DELETE FROM orleans_grain_state WHERE service_id = $1 AND grain_type ILIKE '%pubsub%'");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = serviceId });
        return await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Events_lost_with_a_killed_silo_are_filled_from_the_channel_before_newer_ones_without_the_client_reconnecting()
    {
        // One silo, polled once a second: a published event waits in the silo's memory queue, and
        // dies there when the silo is killed right after the send is acknowledged.
        await using var cluster = await ProcessCluster.StartAsync(servers, silos: 1, settings: new Dictionary<string, string>
        {
            ["Silo__StreamPullPeriod"] = "00:00:01",
        });
        await using var alice = await cluster.ConnectAsync(0, "alice");
        await using var bob = await cluster.ConnectAsync(1, "bob");
        var channel = await alice.CreateChannelAsync("lost events");
        await bob.JoinChannelAsync(channel.Id);
        var sent = new List<ChatMessage> { await alice.SendMessageAsync(channel.Id, "delivered") };
        Assert.Equal(sent[0], await bob.NextMessageCreatedAsync());

        sent.Add(await alice.SendMessageAsync(channel.Id, "acknowledged, then its silo died"));
        await cluster.Silos[0].KillAsync();
        var killed = Stopwatch.StartNew();
        // Anything the silo had already handed to Bob's gateway reaches Bob within this wait.
        await Task.Delay(500, TestContext.Current.CancellationToken);
        var lostWithTheSilo = bob.HasNoPendingMessages;
        cluster.Silos[0].Start();
        await Task.WhenAll(cluster.Silos.Concat(cluster.Gateways).Select(process => process.WaitReadyAsync(TimeSpan.FromSeconds(180))));
        sent.Add(await alice.SendUntilAcknowledgedAsync(channel.Id, "after the restart", nonce: "after"));

        var received = new[] { await bob.NextMessageCreatedAsync(TimeSpan.FromSeconds(60)), await bob.NextMessageCreatedAsync(TimeSpan.FromSeconds(30)) };
        output.WriteLine($"bob had both {killed.ElapsedMilliseconds} ms after the kill; the event died with the silo: {lostWithTheSilo}");

        Assert.Equal(sent[1..], received);
        if (lostWithTheSilo)
        {
            // Almost always (the silo polls its queue once a second): Bob's copy came from PostgreSQL.
            var metrics = await PrometheusText.ScrapeAsync(Http, cluster.Gateways[1].Url);
            Assert.True(PrometheusText.Sum(metrics, "cryb_gateway_gap_filled_changes_total") >= 1);
        }

        Assert.Equal([1, 2, 3], sent.Select(message => message.Seq));
        await AssertNothingMoreAsync(bob);
        Assert.False(bob.Closed.IsCompleted);
    }

    /// <summary>No duplicate follows: a fill and a late stream event never both reach the client.</summary>
    private static async Task AssertNothingMoreAsync(ChatTestClient client)
    {
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.True(client.HasNoPendingMessages);
    }
}
