using Cryb.Channels;
using Cryb.Errors;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Grains;

/// <summary>
/// Group commit: concurrent sends into one channel share transactions, and each still keeps every
/// promise of a lone send: a gapless seq in the order the grain took it, durable before it is
/// acknowledged, stored once per nonce, published in seq order after the commit.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GroupCommitGrainTests(ClusterFixture fixture)
{
    private readonly Caller[] _senders = Enumerable.Range(1, 5).Select(i => TestAccounts.User(TestUsers.New($"sender{i}"))).ToArray();

    [Fact]
    public async Task Concurrent_sends_share_commits_and_each_is_acknowledged_at_a_gapless_seq_once_its_row_is_stored()
    {
        var (channel, channelId) = await ChannelWithSendersAsync();
        await using var events = await EventsWithSeqsAsync(fixture, channelId);
        const int burst = 200;

        // A sequential sender alongside the burst: each of its sends is taken after the previous one
        // was acknowledged, so its seqs must rise in its own order.
        var sequential = SendOneByOneAsync(channel, _senders[0], 20);
        var sent = await Task.WhenAll(Enumerable.Range(0, burst).Select(async i =>
        {
            var message = await channel.SendMessage(_senders[i % _senders.Length], new SendMessageRequest($"burst {i}", Nonce: $"burst-{i}"));
            // Durable when acknowledged: the row is there the moment the answer arrives.
            Assert.True(await IsStoredAsync(message.Id), $"seq {message.Seq} was acknowledged before its row was committed");
            return message;
        }));
        var oneByOne = await sequential;

        var all = sent.Concat(oneByOne).OrderBy(message => message.Seq).ToArray();
        Assert.Equal(Enumerable.Range(1, burst + oneByOne.Length).Select(seq => (long)seq), all.Select(message => message.Seq));
        Assert.Equal(oneByOne.Select(message => message.Seq).Order(), oneByOne.Select(message => message.Seq));
        for (var i = 0; i < burst; i++)
        {
            Assert.Equal(($"burst {i}", _senders[i % _senders.Length].MemberId, $"burst-{i}"), (sent[i].Content, sent[i].AuthorId, sent[i].Nonce));
        }

        var rows = await fixture.Servers.StoredMessagesAsync(channelId);
        Assert.Equal(all.Select(message => (message.Seq, message.Id, message.AuthorId, message.Content)),
            rows.Select(row => (row.Seq, row.Id, row.AuthorId, row.Content)));
        // Rows written by one transaction carry its id (xmin): fewer transactions than messages
        // means sends were committed together. One commit per send would give one id per row.
        var transactions = rows.Select(row => row.Transaction).Distinct().Count();
        Assert.True(transactions < rows.Count / 2, $"{rows.Count} messages took {transactions} transactions: sends were not committed together");

        Assert.Equal(all.Select(message => new MessageCreated(message)), await events.TakeAsync(all.Length), EventComparer.Instance);
    }

    [Fact]
    public async Task A_nonce_sent_twice_in_one_batch_is_stored_once_and_both_sends_get_the_same_message()
    {
        var (channel, channelId) = await ChannelWithSendersAsync();
        var (alice, bob) = (_senders[0], _senders[1]);
        await using var events = await EventsWithSeqsAsync(fixture, channelId);
        var earlier = await channel.SendMessage(alice, new SendMessageRequest("before the burst", Nonce: "early"));

        Task<ChatMessage> blocker;
        Task<ChatMessage[]> burst;
        await using (var hold = await InsertHold.TakeAsync(fixture.Servers))
        {
            // The blocker's batch waits on the table lock; everything sent meanwhile queues behind it
            // and goes into the next batch together.
            blocker = channel.SendMessage(alice, new SendMessageRequest("blocker"));
            await hold.WaitUntilAnInsertWaitsAsync();
            burst = Task.WhenAll(Enumerable.Range(0, 20).SelectMany(i =>
            {
                var author = i % 2 == 0 ? alice : bob;
                var request = new SendMessageRequest($"twice {i}", Nonce: $"twice-{i}");
                return new[] { channel.SendMessage(author, request), channel.SendMessage(author, request), channel.SendMessage(author, new SendMessageRequest($"once {i}")) };
            }).Append(channel.SendMessage(alice, new SendMessageRequest("before the burst", Nonce: "early"))));
            // An interleaving call after the burst: once it is answered, the burst's sends (sent
            // before it on the same connection) have reached the grain and queued. Were one late, it
            // would land in a later batch, where the stored-nonce path answers it the same way.
            await channel.IsMember(alice);
        }

        var answers = await burst;

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(answers[3 * i], answers[3 * i + 1]);
            Assert.Equal($"twice-{i}", answers[3 * i].Nonce);
        }

        Assert.Equal(earlier, answers[^1]);
        var stored = answers.Take(60).DistinctBy(message => message.Id).Append(earlier).Append(await blocker).OrderBy(message => message.Seq).ToArray();
        Assert.Equal(Enumerable.Range(1, 42).Select(seq => (long)seq), stored.Select(message => message.Seq));
        Assert.Equal(42, await fixture.Servers.CountMessagesAsync(channelId));
        // One event per stored message, none for the copies or the resend.
        Assert.Equal(stored.Select(message => new MessageCreated(message)), await events.TakeAsync(42), EventComparer.Instance);
        Assert.True(events.IsEmpty);
    }

    [Fact]
    public async Task Edits_and_reactions_amid_a_burst_take_seqs_between_batches_and_every_event_is_in_seq_order()
    {
        var (channel, channelId) = await ChannelWithSendersAsync();
        await using var events = await EventsWithSeqsAsync(fixture, channelId);
        var first = await channel.SendMessage(_senders[0], new SendMessageRequest("edit me"));

        var sends = Enumerable.Range(0, 100).Select(i => channel.SendMessage(_senders[i % _senders.Length], new SendMessageRequest($"m{i}"))).ToList();
        var edited = channel.EditMessage(_senders[0], first.Id, "edited amid the burst");
        sends.AddRange(Enumerable.Range(100, 50).Select(i => channel.SendMessage(_senders[i % _senders.Length], new SendMessageRequest($"m{i}"))));
        var reacted = channel.AddReaction(_senders[1], first.Id, "👍");
        var sent = await Task.WhenAll(sends);
        var edit = await edited;
        await reacted;

        var seqs = (await events.TakeAsync(153)).Select(SeqOf).ToArray();
        Assert.Equal(Enumerable.Range(1, 153).Select(seq => (long)seq), seqs);
        Assert.Contains(edit.RevisionSeq, seqs);
        Assert.DoesNotContain(edit.RevisionSeq, sent.Select(message => message.Seq));
    }

    [Fact]
    public async Task A_seq_another_activation_stored_refuses_that_batch_overwrites_nothing_and_the_grain_catches_up()
    {
        var (channel, channelId) = await ChannelWithSendersAsync();
        var first = await channel.SendMessage(_senders[0], new SendMessageRequest("first"));
        // What a second activation of the channel (a zombie after a partition) would leave: seq 2.
        var foreign = Guid.NewGuid();
        await using (var command = fixture.Servers.DataSource.CreateCommand(
            "INSERT INTO messages (id, channel_id, seq, author_id, content, created_at, revision_seq) VALUES ($1, $2, 2, $3, 'from elsewhere', now(), 2)"))
        {
            command.Parameters.Add(new() { Value = foreign });
            command.Parameters.Add(new() { Value = channelId });
            command.Parameters.Add(new() { Value = _senders[1].MemberId });
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.StorageUnavailable,
            () => channel.SendMessage(_senders[0], new SendMessageRequest("collides", Nonce: "retry-me")));
        var retried = await channel.SendMessage(_senders[0], new SendMessageRequest("collides", Nonce: "retry-me"));

        Assert.Equal(3, retried.Seq);
        var rows = await fixture.Servers.StoredMessagesAsync(channelId);
        Assert.Equal([(1L, first.Id, "first"), (2L, foreign.ToString(), "from elsewhere"), (3L, retried.Id, "collides")],
            rows.Select(row => (row.Seq, row.Id, row.Content)));
    }

    private async Task<(IChannelGrain Channel, string Id)> ChannelWithSendersAsync()
    {
        var id = Ids.NewChannelId();
        var channel = fixture.Client.GetGrain<IChannelGrain>(id);
        await channel.Create(_senders[0], "group commit", isPrivate: false);
        foreach (var sender in _senders.Skip(1))
        {
            await channel.Join(sender, null);
        }

        return (channel, id);
    }

    private static async Task<ChatMessage[]> SendOneByOneAsync(IChannelGrain channel, Caller sender, int count)
    {
        var sent = new List<ChatMessage>();
        for (var i = 0; i < count; i++)
        {
            sent.Add(await channel.SendMessage(sender, new SendMessageRequest($"one by one {i}")));
        }

        return sent.ToArray();
    }

    private static long SeqOf(ChannelEvent channelEvent) => channelEvent switch
    {
        MessageCreated created => created.Message.Seq,
        MessageEdited edited => edited.Message.RevisionSeq,
        ReactionsUpdated reactions => reactions.Seq,
        MessageDeleted deleted => deleted.Seq,
        _ => throw new InvalidOperationException($"{channelEvent} has no seq"),
    };

    private async Task<bool> IsStoredAsync(string messageId)
    {
        await using var command = fixture.Servers.DataSource.CreateCommand("SELECT count(*) FROM messages WHERE id = $1");
        command.Parameters.Add(new() { Value = Guid.Parse(messageId) });
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }

    /// <summary>Events compared without <see cref="ChannelEvent.CommittedAt"/>, which acknowledgements do not carry.</summary>
    private sealed class EventComparer : IEqualityComparer<ChannelEvent>
    {
        public static readonly EventComparer Instance = new();

        public bool Equals(ChannelEvent? x, ChannelEvent? y) => x! with { CommittedAt = null } == y! with { CommittedAt = null };

        public int GetHashCode(ChannelEvent obj) => (obj with { CommittedAt = null }).GetHashCode();
    }

    /// <summary>
    /// The channel's events that carry a seq, in the order this test's client receives them. (The
    /// channel's setup events may or may not arrive, depending on when the stream was last pulled.)
    /// </summary>
    private static Task<ChannelEventReader<ChannelEvent>> EventsWithSeqsAsync(ClusterFixture fixture, string channelId) =>
        ChannelEventReader<ChannelEvent>.SubscribeAsync(fixture.Client, channelId, channelEvent => channelEvent is not MemberJoined);
}
