using System.Diagnostics;
using System.Text.Json;
using Cryb.Errors;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Tests.Integration;

/// <summary>
/// SIGTERM, as an orchestrator stops a pod: a gateway tells its clients why and lets them move, a
/// silo leaves the cluster at once; either way within <c>Shutdown:Timeout</c>, with every send
/// acknowledged and every message seen once. Each test has a cluster of its own, because it stops it.
/// </summary>
public sealed class GracefulShutdownTests(TestServers servers, ITestOutputHelper output)
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(15);

    /// <summary>What a process may take to exit once its host has stopped: disposal, the runtime's own exit.</summary>
    private static readonly TimeSpan ExitSlack = TimeSpan.FromSeconds(5);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Shutdown__Timeout"] = ShutdownTimeout.ToString(),
    };

    [Fact]
    public async Task A_gateway_stopped_with_SIGTERM_tells_its_clients_why_and_they_resume_on_the_other_gateway_with_nothing_lost()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers, settings: Settings);
        await using var alice = await cluster.ConnectAsync(0, "alice");
        var channel = await alice.CreateChannelAsync("moving");
        var bobSeen = new List<long>();
        // What a client does with each event: apply it once, in seq order; at or below what it has, ignore it.
        void Apply(IEnumerable<ChatMessage> messages) =>
            bobSeen.AddRange(messages.Select(message => message.Seq).Where(seq => seq > (bobSeen.Count > 0 ? bobSeen[^1] : 0)));

        await using (var bob = await cluster.ConnectAsync(1, "bob"))
        {
            await bob.JoinChannelAsync(channel.Id);
            await alice.SendMessageAsync(channel.Id, "before");
            Apply([await bob.NextMessageCreatedAsync()]);

            // Alice keeps talking while Bob's gateway stops.
            var talking = SendSeriesAsync(alice, channel.Id, count: 20);
            var stopped = Stopwatch.StartNew();
            var stopping = cluster.Gateways[1].StopAsync();
            var closedWith = await bob.Closed.WaitAsync(ShutdownTimeout + ExitSlack, TestContext.Current.CancellationToken);
            output.WriteLine($"bob was told after {stopped.ElapsedMilliseconds} ms: {closedWith?.Message}");
            await stopping;
            output.WriteLine($"gateway 2 exited {stopped.ElapsedMilliseconds} ms after SIGTERM");

            var reason = Assert.IsAssignableFrom<HubException>(closedWith);
            Assert.Contains($"HubException: {ErrorCodes.GatewayStopping}:", reason.Message);
            Assert.False(cluster.Gateways[1].IsRunning);
            Assert.True(stopped.Elapsed < ShutdownTimeout + ExitSlack, $"gateway 2 took {stopped.Elapsed} to stop");
            Apply(bob.TakePending<ChatMessage>("MessageCreated"));

            // Bob reconnects elsewhere and resumes from what he applied, as docs/protocol.md tells clients to.
            await using var bobAgain = await cluster.ConnectAsync(0, "bob");
            var resumed = await bobAgain.JoinChannelAsync(channel.Id, bobSeen[^1]);
            Apply(resumed.Missed);
            var last = (await talking)[^1].Seq;
            while (bobSeen[^1] < last)
            {
                Apply([await bobAgain.NextMessageCreatedAsync()]);
            }

            Assert.Equal(Enumerable.Range(1, (int)last).Select(seq => (long)seq), bobSeen);
        }
    }

    [Fact]
    public async Task A_silo_stopped_with_SIGTERM_leaves_the_cluster_at_once_and_no_message_is_lost_or_repeated()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers, settings: Settings);
        await using var alice = await cluster.ConnectAsync(0, "alice");
        await using var bob = await cluster.ConnectAsync(1, "bob");
        var channel = await alice.CreateChannelAsync("silo leaving");
        await bob.JoinChannelAsync(channel.Id);
        await alice.SendMessageAsync(channel.Id, "before");
        Assert.Equal(1, (await bob.NextMessageCreatedAsync()).Seq);

        var talking = SendSeriesAsync(alice, channel.Id, count: 20);
        var stopped = Stopwatch.StartNew();
        await cluster.Silos[0].StopAsync();
        output.WriteLine($"silo 1 exited {stopped.ElapsedMilliseconds} ms after SIGTERM");
        Assert.True(stopped.Elapsed < ShutdownTimeout + ExitSlack, $"silo 1 took {stopped.Elapsed} to stop");

        // It marked itself dead on the way out: the other silo need not detect the failure.
        await Eventually.WaitUntilAsync(
            async () => (await MembershipAsync(cluster.Silos[1].Url)).Contains("1 active silo(s)", StringComparison.Ordinal),
            "silo 2 to see a single active silo",
            TimeSpan.FromSeconds(10));
        output.WriteLine($"silo 2 saw one active silo {stopped.ElapsedMilliseconds} ms after SIGTERM");

        var sent = await talking;
        var received = new List<long>();
        while (received.Count < sent.Count)
        {
            received.Add((await bob.NextMessageCreatedAsync(TimeSpan.FromSeconds(30))).Seq);
        }

        Assert.Equal(Enumerable.Range(2, sent.Count).Select(seq => (long)seq), sent.Select(message => message.Seq));
        Assert.Equal(sent.Select(message => message.Seq), received);
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.True(bob.HasNoPendingMessages);
    }

    /// <summary>Messages at a steady pace, each retried with its nonce until acknowledged.</summary>
    private static async Task<List<ChatMessage>> SendSeriesAsync(ChatTestClient client, string channelId, int count)
    {
        var sent = new List<ChatMessage>();
        for (var i = 1; i <= count; i++)
        {
            sent.Add(await client.SendUntilAcknowledgedAsync(channelId, $"message {i}", nonce: $"series-{i}"));
            await Task.Delay(100);
        }

        return sent;
    }

    private static async Task<string> MembershipAsync(string siloUrl)
    {
        using var response = await Http.GetAsync($"{siloUrl}/health/ready");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return body.GetProperty("checks").GetProperty("membership").GetProperty("description").GetString() ?? "";
    }
}
