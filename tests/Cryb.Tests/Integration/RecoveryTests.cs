using Cryb.Channels;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;

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
