using Cryb.Channels;
using Cryb.Errors;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Cryb.Tests.Integration;

/// <summary>
/// Exactly-once sends and gap-free recovery: what a client that drops, or a silo that restarts,
/// must never cost. Each test has a cluster of its own, because it restarts or disturbs it.
/// </summary>
public sealed class RecoveryTests(TestServers servers)
{
    [Fact]
    public async Task A_client_that_reconnects_to_the_other_gateway_with_sinceSeq_ends_with_exactly_the_server_history()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers);
        await using var alice = await cluster.ConnectAsync(0, "alice");
        var channel = await alice.CreateChannelAsync("recovery");
        var bobView = new ClientView();
        long bobSeq;
        await using (var bob = await cluster.ConnectAsync(1, "bob"))
        {
            var joined = await bob.JoinChannelAsync(channel.Id);
            bobView.Apply(joined.Missed);
            var first = await alice.SendMessageAsync(channel.Id, "before the drop");
            bobView.Apply([await bob.NextMessageCreatedAsync()]);
            bobSeq = first.Seq;
        }

        // While bob is away: 50 messages, 5 edited, 5 deleted, one reacted to.
        var sent = new List<ChatMessage>();
        for (var i = 1; i <= 50; i++)
        {
            sent.Add(await alice.SendMessageAsync(channel.Id, $"while away {i}", nonce: $"away-{i}"));
        }

        for (var i = 0; i < 5; i++)
        {
            await alice.InvokeAsync<ChatMessage>("EditMessage", channel.Id, sent[i * 3].Id, $"edited {i}");
            await alice.InvokeAsync("DeleteMessage", channel.Id, sent[i * 3 + 1].Id);
        }

        await alice.InvokeAsync<ReactionSummary[]>("AddReaction", channel.Id, sent[^1].Id, "👀");

        await using var bobAgain = await cluster.ConnectAsync(0, "bob");
        var resumed = await bobAgain.JoinChannelAsync(channel.Id, sinceSeq: bobSeq);
        bobView.Apply(resumed.Missed);

        Assert.False(resumed.Truncated);
        Assert.Equal(bobSeq + 50 + 10 + 1, resumed.LatestSeq);
        Assert.Equal(resumed.Missed.Count, resumed.Missed.Select(m => m.Id).Distinct().Count()); // nothing twice
        var server = await AllHistoryAsync(alice, channel.Id);
        Assert.Equal(server, bobView.Visible());

        // And live delivery continues right after the recovered seq: no gap.
        var next = await alice.SendMessageAsync(channel.Id, "welcome back");
        Assert.Equal(resumed.LatestSeq + 1, next.Seq);
        Assert.Equal(next, await bobAgain.NextMessageCreatedAsync());
    }

    [Fact]
    public async Task A_resent_nonce_after_a_silo_restart_returns_the_original_and_nothing_is_stored_or_broadcast_twice()
    {
        await using var cluster = await ProcessCluster.StartAsync(servers);
        var channelId = "";
        ChatMessage original;
        await using (var alice = await cluster.ConnectAsync(0, "alice"))
        {
            var channel = await alice.CreateChannelAsync("exactly once");
            channelId = channel.Id;
            original = await alice.SendMessageAsync(channelId, "only once", nonce: "client-nonce-1");
        }

        await cluster.RestartSilosAsync();

        await using var aliceAgain = await cluster.ConnectAsync(1, "alice");
        var resent = await aliceAgain.SendMessageAsync(channelId, "only once", nonce: "client-nonce-1");
        var control = await aliceAgain.SendMessageAsync(channelId, "a new one", nonce: "client-nonce-2");

        Assert.Equal(original, resent);
        Assert.Equal(original.Seq + 1, control.Seq);
        Assert.Equal(control, await aliceAgain.NextMessageCreatedAsync()); // the resend was not broadcast
        Assert.Equal(2, await servers.CountMessagesAsync(channelId));
    }

    [Fact]
    public async Task A_storage_outage_amid_a_burst_refuses_the_sends_it_hits_and_seqs_go_on_without_a_gap_after_it()
    {
        // Servers of its own: stopping the shared PostgreSQL would break other tests' clusters.
        await using var own = new TestServers();
        await own.InitializeAsync();
        await using var cluster = await ProcessCluster.StartAsync(own);
        var senders = new List<ChatTestClient>();
        for (var i = 0; i < 6; i++)
        {
            senders.Add(await cluster.ConnectAsync(i % 2, $"sender{i}"));
        }

        await using var observer = await cluster.ConnectAsync(1, "observer");
        var channel = await senders[0].CreateChannelAsync("outage");
        foreach (var member in senders.Skip(1).Append(observer))
        {
            await member.JoinChannelAsync(channel.Id);
        }

        // Every sender sends one message after the other, with a nonce each, as a client does;
        // a refused one is not retried in the loop (the test retries them all at the end).
        var outcomes = new ObservedQueue<SendOutcome>();
        using var stop = new CancellationTokenSource();
        var loops = senders.Select(sender => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var (content, nonce) = ($"{sender.UserId} {i}", $"{sender.UserId}-{i}");
                try
                {
                    outcomes.Enqueue(new SendOutcome(sender, content, nonce, await sender.SendMessageAsync(channel.Id, content, nonce), null));
                }
                catch (HubException refusal)
                {
                    outcomes.Enqueue(new SendOutcome(sender, content, nonce, null, Refusals.CodeOf(refusal)));
                    await Task.Delay(20); // a client's pause before it goes on
                }
            }
        })).ToArray();

        await outcomes.WaitUntilAsync(sends => sends.Count(o => o.Ack is not null) >= 50, "50 sends acknowledged before the outage");
        await own.Postgres.StopAsync();
        await outcomes.WaitUntilAsync(
            sends => senders.All(sender => sends.Any(o => o.Sender == sender && o.Refusal is not null)),
            "every sender to be refused while PostgreSQL is down");
        await own.Postgres.StartAsync();
        own.DataSource.Clear(); // the test's own pooled connections died with the server
        var atRestart = outcomes.Count;
        await outcomes.WaitUntilAsync(sends => sends.Skip(atRestart).Count(o => o.Ack is not null) >= 50,
            "50 sends acknowledged after PostgreSQL is back", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        var refused = outcomes.Where(o => o.Ack is null).ToArray();
        Assert.All(refused, o => Assert.Equal(ErrorCodes.StorageUnavailable, o.Refusal));
        // Exactly once: each refused send, retried with its nonce, is stored now, or was stored
        // already if its commit went through just as the connection broke (then it gets the original).
        var retried = new List<ChatMessage>();
        foreach (var send in refused)
        {
            retried.Add(await send.Sender.SendMessageAsync(channel.Id, send.Content, send.Nonce));
        }

        var all = outcomes.Where(o => o.Ack is not null).Select(o => o.Ack!).Concat(retried).OrderBy(message => message.Seq).ToArray();
        Assert.Equal(outcomes.Select(o => o.Nonce).Order(), all.Select(message => message.Nonce!).Order());
        Assert.Equal(Enumerable.Range(1, all.Length).Select(seq => (long)seq), all.Select(message => message.Seq));
        Assert.Equal(all.Length, await own.CountMessagesAsync(channel.Id));
        foreach (var sender in senders)
        {
            var acked = outcomes.Where(o => o.Sender == sender && o.Ack is not null).Select(o => o.Ack!.Seq).ToArray();
            Assert.Equal(acked.Order(), acked); // one sender's acknowledged sends, in its order
        }

        var delivered = new List<ChatMessage>();
        while (delivered.Count < all.Length)
        {
            delivered.Add(await observer.NextMessageCreatedAsync());
        }

        Assert.Equal(all, delivered);
        foreach (var sender in senders)
        {
            await sender.DisposeAsync();
        }
    }

    private sealed record SendOutcome(ChatTestClient Sender, string Content, string Nonce, ChatMessage? Ack, string? Refusal);

    private static async Task<List<ChatMessage>> AllHistoryAsync(ChatTestClient client, string channelId)
    {
        var all = new List<ChatMessage>();
        long? before = null;
        while (true)
        {
            var page = await client.GetHistoryAsync(channelId, before, ChannelLimits.MaxHistoryPage);
            all.AddRange(page);
            if (page.Length < ChannelLimits.MaxHistoryPage)
            {
                return all;
            }

            before = page[^1].Seq;
        }
    }

    /// <summary>What a client shows: messages by id in their latest state, deleted ones dropped.</summary>
    private sealed class ClientView
    {
        private readonly Dictionary<string, ChatMessage> _messages = [];

        public void Apply(IEnumerable<ChatMessage> messages)
        {
            foreach (var message in messages)
            {
                if (message.Deleted)
                {
                    _messages.Remove(message.Id);
                }
                else
                {
                    _messages[message.Id] = message;
                }
            }
        }

        /// <summary>Newest first, as <c>GetHistory</c> pages them.</summary>
        public List<ChatMessage> Visible() => _messages.Values.OrderByDescending(m => m.Seq).ToList();
    }
}
