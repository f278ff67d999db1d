using Cryb.Grains.Messages;
using Cryb.Grains.Storage;
using Cryb.Grains.Telemetry;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cryb.Tests.Storage;

/// <summary>
/// The silo's message writer on the run's PostgreSQL, without a cluster: appends of many channels
/// that queue while a transaction is in flight are stored by the next one together, each channel
/// numbered after its own seq and probed for its own resent nonces, and a seq another activation
/// took refuses only its own channel.
/// </summary>
public sealed class MessageWriterTests(TestServers servers) : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task Appends_queued_behind_a_transaction_are_stored_by_one_statement_each_channel_after_its_own_seq_with_its_own_resends_dropped()
    {
        var writer = Writer();
        var (a, b, c, blocker) = (Ids.NewChannelId(), Ids.NewChannelId(), Ids.NewChannelId(), Ids.NewChannelId());
        // Alice stored nonce "same" in a; in b she never used it. c has no messages yet.
        var original = (await writer.AppendMessagesAsync(a, 0, [Draft(a, "alice", "hello", "same")])).Single();
        await writer.AppendMessagesAsync(b, 0, [Draft(b, "alice", "first in b", "b-1"), Draft(b, "bob", "second in b", "b-2")]);

        Task<IReadOnlyList<ChatMessage>> inA, inB, inC;
        await using (var hold = await InsertHold.TakeAsync(servers))
        {
            var held = writer.AppendMessagesAsync(blocker, 0, [Draft(blocker, "dave", "held", null)]);
            await hold.WaitUntilAnInsertWaitsAsync();
            // A resend between new messages in a; the same nonce, new, in b; another author's copy of
            // it in c. The writer is busy, so the three queue and go into the next transaction.
            inA = writer.AppendMessagesAsync(a, 1, [Draft(a, "alice", "before the resend", "a-2", "bob", "carol"), Draft(a, "alice", "hello", "same"), Draft(a, "bob", "after the resend", "a-3")]);
            inB = writer.AppendMessagesAsync(b, 2, [Draft(b, "alice", "hello", "same", "dave")]);
            inC = writer.AppendMessagesAsync(c, 0, [Draft(c, "carol", "hello", "same"), Draft(c, "alice", "hello", "same")]);
            Assert.False(held.IsCompleted);
        }

        Assert.Equal([("before the resend", 2L), ("after the resend", 3L)], (await inA).Select(m => (m.Content, m.Seq)));
        Assert.Equal([3L], (await inB).Select(m => m.Seq));
        Assert.Equal([("carol", 1L), ("alice", 2L)], (await inC).Select(m => (m.AuthorId, m.Seq)));

        var rowsA = await servers.StoredMessagesAsync(a);
        Assert.Equal([(1L, original.Id, "hello"), (2L, (await inA)[0].Id, "before the resend"), (3L, (await inA)[1].Id, "after the resend")],
            rowsA.Select(row => (row.Seq, row.Id, row.Content)));
        Assert.Equal([["bob", "carol"], []], rowsA.Skip(1).Select(row => row.Mentions));
        var rowsB = await servers.StoredMessagesAsync(b);
        Assert.Equal([1L, 2L, 3L], rowsB.Select(row => row.Seq));
        Assert.Equal(["dave"], rowsB[2].Mentions);
        var rowsC = await servers.StoredMessagesAsync(c);
        Assert.Equal([1L, 2L], rowsC.Select(row => row.Seq));
        // One transaction wrote the three channels' new rows.
        Assert.Single(rowsA.Skip(1).Concat(rowsB.Skip(2)).Concat(rowsC).Select(row => row.Transaction).Distinct());
    }

    [Fact]
    public async Task A_seq_another_activation_took_in_one_channel_refuses_only_that_channel_and_the_others_are_stored()
    {
        var writer = Writer();
        var channels = Enumerable.Range(0, 5).Select(_ => Ids.NewChannelId()).ToArray();
        var blocker = Ids.NewChannelId();
        foreach (var channel in channels)
        {
            await writer.AppendMessagesAsync(channel, 0, [Draft(channel, "alice", "first", null)]);
        }

        // What a second activation of channel 2 (a zombie after a partition) would leave: its seq 2.
        var zombie = await Writer().AppendMessagesAsync(channels[2], 1, [Draft(channels[2], "bob", "from elsewhere", null)]);

        Task<IReadOnlyList<ChatMessage>>[] appends;
        await using (var hold = await InsertHold.TakeAsync(servers))
        {
            var held = writer.AppendMessagesAsync(blocker, 0, [Draft(blocker, "dave", "held", null)]);
            await hold.WaitUntilAnInsertWaitsAsync();
            appends = channels.Select(channel => writer.AppendMessagesAsync(channel, 1, [Draft(channel, "alice", "second", "n-2"), Draft(channel, "alice", "third", "n-3")])).ToArray();
        }

        await Assert.ThrowsAsync<SeqAlreadyTakenException>(() => appends[2]);
        foreach (var i in new[] { 0, 1, 3, 4 })
        {
            Assert.Equal([2L, 3L], (await appends[i]).Select(m => m.Seq));
            Assert.Equal(["first", "second", "third"], (await servers.StoredMessagesAsync(channels[i])).Select(row => row.Content));
        }

        Assert.Equal([(1L, "first"), (2L, zombie.Single().Content)], (await servers.StoredMessagesAsync(channels[2])).Select(row => (row.Seq, row.Content)));
    }

    private MessageWriter Writer() => new(
        servers.DataSource,
        new StorageGuard(TimeProvider.System, NullLogger<StorageGuard>.Instance),
        new SiloMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));

    private static ChatMessage Draft(string channelId, string authorId, string content, string? nonce, params string[] mentions) =>
        new(Guid.CreateVersion7().ToString(), channelId, 0, authorId, content, nonce, null, DateTimeOffset.UtcNow, null, 0, false, mentions, null, []);

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}

/// <summary>The messages an append stored, as these tests look at them (none of them notifies anybody).</summary>
internal static class MessageWriterAppends
{
    public static async Task<IReadOnlyList<ChatMessage>> AppendMessagesAsync(this MessageWriter writer, string channelId, long afterSeq, IReadOnlyList<ChatMessage> messages) =>
        (await writer.AppendAsync(channelId, afterSeq, messages)).Messages;
}
