using System.Diagnostics;
using Cryb.Errors;
using Cryb.Messages;
using Cryb.Silo.Hosting;
using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Tests.Integration;

/// <summary>
/// PostgreSQL stopped, frozen or restarted under a running cluster: a send is refused with
/// <c>storage_unavailable</c> within a bounded time and is never acknowledged, and once PostgreSQL
/// is back the very first send succeeds, with no silo restarted. Each test leaves PostgreSQL running.
/// </summary>
public sealed class StorageOutageTests(PrivateServersClusterFixture fixture, ITestOutputHelper output) : IClassFixture<PrivateServersClusterFixture>
{
    /// <summary>
    /// The silos' longest wait on one command (connect, command and cancellation timeouts together)
    /// and slack for a loaded machine; still below the 30 s after which Orleans gives up.
    /// </summary>
    private static readonly TimeSpan RefusalBound = PostgresTimeouts.MaxWait + TimeSpan.FromSeconds(5);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    private ProcessCluster Cluster => fixture.Cluster;
    private PostgresServer Postgres => fixture.Servers.Postgres;

    [Theory]
    [InlineData("fast")]
    [InlineData("immediate")]
    public async Task While_PostgreSQL_is_stopped_sends_are_refused_with_storage_unavailable_and_the_first_send_after_it_returns_succeeds(string mode)
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        var channel = await alice.CreateChannelAsync("outage " + mode);
        await alice.SendMessageAsync(channel.Id, "before", nonce: "before");

        await fixture.Servers.StopPostgresAsync(mode);
        try
        {
            await AssertRefusedInTimeAsync(() => alice.SendMessageAsync(channel.Id, "during", nonce: "during"), "a send to an active channel");
            await AssertRefusedInTimeAsync(() => alice.JoinChannelAsync("never-created-" + mode), "a join that activates a channel grain");
        }
        finally
        {
            await fixture.Servers.StartPostgresAsync();
        }

        // The refused send is retried with its nonce, as a client does: stored once.
        var retried = await alice.SendMessageAsync(channel.Id, "during", nonce: "during");
        var created = await alice.CreateChannelAsync("after " + mode);

        Assert.Equal(2, retried.Seq);
        Assert.Equal(2, await fixture.Servers.CountMessagesAsync(channel.Id));
        Assert.NotNull(created.Id);
    }

    [Fact]
    public async Task After_a_quick_PostgreSQL_restart_with_no_traffic_meanwhile_the_first_send_and_the_first_activation_succeed()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        var channel = await alice.CreateChannelAsync("restart");
        await alice.SendMessageAsync(channel.Id, "before");

        // Every pooled connection of the silo, in the message store and in grain storage, is now dead.
        await fixture.Servers.StopPostgresAsync("fast");
        await fixture.Servers.StartPostgresAsync();

        var sent = await alice.SendMessageAsync(channel.Id, "first after the restart", nonce: "first");
        var created = await alice.CreateChannelAsync("first activation after the restart");

        Assert.Equal(2, sent.Seq);
        Assert.NotNull(created.Id);
        Assert.Equal(2, await fixture.Servers.CountMessagesAsync(channel.Id));
    }

    [Fact]
    public async Task While_PostgreSQL_is_frozen_sends_are_refused_with_storage_unavailable_within_the_storage_timeouts_never_left_to_time_out()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        var channel = await alice.CreateChannelAsync("frozen");
        await alice.SendMessageAsync(channel.Id, "before", nonce: "before");

        var frozen = Postgres.Freeze();
        try
        {
            // Three at once: the channel grain runs them one after the other, so the second and the
            // third wait for the first; they must be refused too, not time out behind it.
            await Task.WhenAll(Enumerable.Range(1, 3).Select(i =>
                AssertRefusedInTimeAsync(() => alice.SendMessageAsync(channel.Id, $"during {i}", nonce: $"during-{i}"), $"send {i} while PostgreSQL answers nothing")));
        }
        finally
        {
            PostgresServer.Thaw(frozen);
            fixture.Servers.DataSource.Clear();
        }

        // For a second after a timeout the silo refuses without trying (StorageGuard.OpenFor): the
        // client retries with its nonce, as clients do after storage_unavailable.
        var retried = await alice.SendUntilAcknowledgedAsync(channel.Id, "during 1", nonce: "during-1", TimeSpan.FromSeconds(15));

        Assert.Equal(2, retried.Seq);
        Assert.Equal(2, await fixture.Servers.CountMessagesAsync(channel.Id));
    }

    [Fact]
    public async Task Sends_of_several_channels_queued_for_one_transaction_when_PostgreSQL_stops_are_all_refused_and_use_no_seq()
    {
        var users = await Task.WhenAll(new[] { "alice", "bob", "carol", "dave" }.Select(name => Cluster.ConnectAsync(0, TestUsers.New(name))));
        try
        {
            var channels = new List<string>();
            foreach (var user in users)
            {
                var channel = await user.CreateChannelAsync("queued " + user.UserId);
                await user.SendMessageAsync(channel.Id, "before", nonce: "before");
                channels.Add(channel.Id);
            }

            Task<ChatMessage>[] sends;
            await using (var hold = await InsertHold.TakeAsync(fixture.Servers))
            {
                // The first user's send holds the silo's writer on the table lock; the other three
                // queue for its next transaction, all of them when PostgreSQL stops.
                var held = users[0].SendMessageAsync(channels[0], "during", nonce: "during");
                await hold.WaitUntilAnInsertWaitsAsync();
                var queued = users.Skip(1).Select((user, i) => user.SendMessageAsync(channels[i + 1], "during", nonce: "during"));
                sends = [held, .. queued];
                await Eventually.WaitUntilAsync(
                    async () => PrometheusText.Sum(await PrometheusText.ScrapeAsync(Http, Cluster.Silos[0].Url), "cryb_postgres_append_queued") == 3,
                    "three channels' sends to queue in the silo's message writer");
                // Immediate, not fast: a fast shutdown ends the holding session cleanly, which frees
                // the lock, and the held insert and then the queued ones could commit before their
                // own session ended (CI saw both). An immediate one ends every session where it
                // stands, with the lock still held, so none of the four can reach a commit.
                await fixture.Servers.StopPostgresAsync("immediate");
            }

            try
            {
                await Task.WhenAll(sends.Select((send, i) => AssertRefusedInTimeAsync(() => send, $"the send to channel {i + 1} of 4")));
            }
            finally
            {
                await fixture.Servers.StartPostgresAsync();
            }

            // Each client retries with its nonce: the seq nobody was told about was never used.
            for (var i = 0; i < users.Length; i++)
            {
                var retried = await users[i].SendUntilAcknowledgedAsync(channels[i], "during", nonce: "during", TimeSpan.FromSeconds(15));
                Assert.Equal(2, retried.Seq);
                Assert.Equal(2, await fixture.Servers.CountMessagesAsync(channels[i]));
            }
        }
        finally
        {
            foreach (var user in users)
            {
                await user.DisposeAsync();
            }
        }
    }

    private async Task AssertRefusedInTimeAsync(Func<Task> call, string what)
    {
        var started = Stopwatch.StartNew();
        await Refusals.AssertHubRefusesAsync(ErrorCodes.StorageUnavailable, call);
        output.WriteLine($"{what}: storage_unavailable after {started.ElapsedMilliseconds} ms");
        Assert.True(started.Elapsed < RefusalBound, $"{what} was refused only after {started.Elapsed}");
    }
}
