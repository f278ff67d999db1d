using System.Diagnostics;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// Silos killed with SIGKILL under a gateway that stays up: the stream owners' subscriber tables
/// die with them, yet a client connected throughout, which never reconnects, sees every message
/// once, in seq order. The pushes are the wake-up call; the channel grain and PostgreSQL are the
/// truth. The test has a cluster of its own, because it kills it.
/// </summary>
public sealed class SiloFailureTests(TestServers servers, ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    /// <summary>
    /// Bob's gateway stays paused while every silo restarts, 10 s here and over 35 s on a loaded CI
    /// machine. Past SignalR's timeouts (the client's 30 s, the gateway's 20 s) either end would
    /// close bob's connection as dead, which is right for a real outage but not what this test is
    /// about: it needs the same connection throughout, so both ends wait longer here.
    /// </summary>
    private static readonly TimeSpan PauseTolerance = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_gateway_whose_subscription_the_cluster_dropped_resubscribes_by_itself_and_delivers_what_it_missed_in_order()
    {
        await using var cluster = await ProcessCluster.StartAsync(
            servers, gatewaySettings: new Dictionary<string, string> { ["Gateway__Hub__ClientTimeout"] = PauseTolerance.ToString() });
        await using var alice = await cluster.ConnectAsync(0, "alice");
        await using var bob = await cluster.ConnectAsync(1, "bob", serverTimeout: PauseTolerance);
        var channel = await alice.CreateChannelAsync("dropped subscription");
        await bob.JoinChannelAsync(channel.Id);
        var sent = new List<ChatMessage> { await alice.SendMessageAsync(channel.Id, "before") };
        Assert.Equal(sent[0], await bob.NextMessageCreatedAsync());

        // Bob's gateway cannot answer while every silo dies and comes back, and the channel grain's
        // new activation holds no subscription: subscriptions are soft state in the owner's memory.
        // Without a health check the gateway would stay silent for this channel however long it runs.
        var bobsGateway = cluster.Gateways[1];
        Shell.Signal(bobsGateway.ProcessId, 19);
        try
        {
            foreach (var silo in cluster.Silos)
            {
                await silo.KillAsync();
            }

            foreach (var silo in cluster.Silos)
            {
                silo.Start();
            }

            await Task.WhenAll(cluster.Silos.Append(cluster.Gateways[0]).Select(process => process.WaitReadyAsync(TimeSpan.FromSeconds(180))));
            // The first send after the restart may meet a cluster still settling: the client retries.
            sent.Add(await alice.SendUntilAcknowledgedAsync(channel.Id, "while bob's gateway was away 1", nonce: "away-1"));
            sent.Add(await alice.SendUntilAcknowledgedAsync(channel.Id, "while bob's gateway was away 2", nonce: "away-2"));
        }
        finally
        {
            Shell.Signal(bobsGateway.ProcessId, 18);
        }

        var resumed = Stopwatch.StartNew();
        ChatMessage[] missed;
        try
        {
            missed = [await bob.NextMessageCreatedAsync(TimeSpan.FromSeconds(60)), await bob.NextMessageCreatedAsync(TimeSpan.FromSeconds(30))];
        }
        catch (TimeoutException ex)
        {
            // What bob's gateway did since it was resumed is the only way to tell why from a CI log.
            var closed = bob.Closed.IsCompleted ? $"bob's connection closed ({(await bob.Closed)?.Message ?? "no error"})" : "bob's connection still open";
            throw new TimeoutException($"{ex.Message} {closed}. Bob's gateway:\n{bobsGateway.LogTail(400)}", ex);
        }

        output.WriteLine($"bob's gateway delivered what it missed {resumed.ElapsedMilliseconds} ms after it was resumed");
        // Alice's sends may still meet the restarted silo settling (CI once saw `unavailable` here): retried as a client does.
        sent.Add(await alice.SendUntilAcknowledgedAsync(channel.Id, "after", nonce: "after"));
        var after = await bob.NextMessageCreatedAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(sent[1..], [.. missed, after]);
        Assert.Equal([1, 2, 3, 4], sent.Select(message => message.Seq));
        await AssertNothingMoreAsync(bob);
        Assert.False(bob.Closed.IsCompleted); // the same connection throughout
        var metrics = await PrometheusText.ScrapeAsync(Http, bobsGateway.Url);
        Assert.True(PrometheusText.Sum(metrics, "cryb_gateway_stream_resubscriptions_total", ("stream", "channel")) >= 1);
    }

    /// <summary>No duplicate follows: a fill and a late stream event never both reach the client.</summary>
    private static async Task AssertNothingMoreAsync(ChatTestClient client)
    {
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.True(client.HasNoPendingMessages);
    }
}
