using Cryb.Channels;
using Cryb.Errors;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;
using Orleans.Streams;

namespace Cryb.Tests.Grains;

/// <summary>The channel grain on a two-silo cluster with real PostgreSQL storage and Redis membership.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ChannelGrainTests(ClusterFixture fixture)
{
    private static readonly Caller Alice = TestAccounts.User("alice");
    private static readonly Caller Bob = TestAccounts.User("bob");

    private IChannelGrain NewChannel() => fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());

    [Fact]
    public async Task Creator_becomes_owner_and_member()
    {
        var channel = NewChannel();
        var created = await channel.Create(Alice, "  general ", isPrivate: false);

        Assert.Equal("general", created.Name);
        Assert.Equal("alice", created.OwnerId);
        Assert.False(created.IsPrivate);
        Assert.Equal(created, await channel.GetInfo(Alice));
    }

    [Fact]
    public async Task Seq_is_gapless_and_increasing_and_each_message_is_in_postgres_when_acknowledged()
    {
        var channel = NewChannel();
        var info = await channel.Create(Alice, "seq", isPrivate: false);

        for (var expected = 1; expected <= 5; expected++)
        {
            var message = await channel.SendMessage(Alice, new SendMessageRequest($"message {expected}"));
            Assert.Equal(expected, message.Seq);
            Assert.Equal(expected, await fixture.Servers.CountMessagesAsync(info.Id));
        }
    }

    [Fact]
    public async Task Seq_continues_after_the_grain_is_deactivated()
    {
        var channel = NewChannel();
        await channel.Create(Alice, "restart", isPrivate: false);
        await channel.SendMessage(Alice, new SendMessageRequest("one"));
        await channel.SendMessage(Alice, new SendMessageRequest("two"));

        await fixture.Cluster.DeactivateAsync(channel);
        var third = await channel.SendMessage(Alice, new SendMessageRequest("three"));

        Assert.Equal(3, third.Seq);
        Assert.Equal(["three", "two", "one"], (await channel.GetHistory(Alice, null, 10)).Select(m => m.Content));
    }

    [Fact]
    public async Task Membership_survives_deactivation()
    {
        var channel = NewChannel();
        await channel.Create(Alice, "members", isPrivate: false);
        await channel.Join(Bob, null);

        await fixture.Cluster.DeactivateAsync(channel);

        var sent = await channel.SendMessage(Bob, new SendMessageRequest("still a member"));
        Assert.Equal("bob", sent.AuthorId);
    }

    [Fact]
    public async Task History_pages_newest_first_before_a_seq_and_clamps_the_limit()
    {
        var channel = NewChannel();
        await channel.Create(Alice, "history", isPrivate: false);
        for (var i = 1; i <= 120; i++)
        {
            await channel.SendMessage(Alice, new SendMessageRequest($"m{i}"));
        }

        var newest = await channel.GetHistory(Alice, null, 1000);
        Assert.Equal(ChannelLimits.MaxHistoryPage, newest.Count);
        Assert.Equal(120, newest[0].Seq);
        Assert.Equal(21, newest[^1].Seq);

        var older = await channel.GetHistory(Alice, beforeSeq: 21, limit: 50);
        Assert.Equal(Enumerable.Range(1, 20).Reverse().Select(i => (long)i), older.Select(m => m.Seq));
    }

    [Fact]
    public async Task Joining_with_sinceSeq_returns_the_missed_messages_in_order()
    {
        var channel = NewChannel();
        await channel.Create(Alice, "missed", isPrivate: false);
        await channel.Join(Bob, null);
        for (var i = 1; i <= 4; i++)
        {
            await channel.SendMessage(Alice, new SendMessageRequest($"m{i}"));
        }

        var result = await channel.Join(Bob, sinceSeq: 2);

        Assert.Equal(4, result.LatestSeq);
        Assert.Equal([3L, 4L], result.Missed.Select(m => m.Seq));
        Assert.False(result.Truncated);
    }

    [Theory]
    [InlineData("", ErrorCodes.MessageEmpty)]
    [InlineData("   \n ", ErrorCodes.MessageEmpty)]
    [InlineData("bell\u0007", ErrorCodes.MessageInvalidCharacters)]
    public async Task Bad_content_is_refused_and_nothing_is_stored(string content, string code)
    {
        var channel = NewChannel();
        var info = await channel.Create(Alice, "bad", isPrivate: false);

        await Refusals.AssertGrainRefusesAsync(code, () => channel.SendMessage(Alice, new SendMessageRequest(content)));

        Assert.Equal(0, await fixture.Servers.CountMessagesAsync(info.Id));
    }

    [Fact]
    public async Task Content_of_4000_characters_is_accepted_and_4001_refused()
    {
        var channel = NewChannel();
        var info = await channel.Create(Alice, "limits", isPrivate: false);

        await channel.SendMessage(Alice, new SendMessageRequest(new string('a', MessageLimits.MaxContentLength)));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.MessageTooLong,
            () => channel.SendMessage(Alice, new SendMessageRequest(new string('a', MessageLimits.MaxContentLength + 1))));

        Assert.Equal(1, await fixture.Servers.CountMessagesAsync(info.Id));
    }

    [Fact]
    public async Task A_non_member_cannot_send_or_read_and_nothing_is_stored()
    {
        var channel = NewChannel();
        var info = await channel.Create(Alice, "closed door", isPrivate: false);

        // Its server's channel, out of sight of those who have not joined it (Join does).
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.SendMessage(Bob, new SendMessageRequest("hi")));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.GetHistory(Bob, null, 10));

        Assert.Equal(0, await fixture.Servers.CountMessagesAsync(info.Id));
    }

    [Fact]
    public async Task A_private_channel_looks_absent_to_outsiders()
    {
        var channel = NewChannel();
        await channel.Create(Alice, "secret", isPrivate: true);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.Join(Bob, null));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.SendMessage(Bob, new SendMessageRequest("hi")));
    }

    [Fact]
    public async Task An_unknown_channel_is_not_found()
    {
        var channel = NewChannel();

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.Join(Alice, null));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.SendMessage(Alice, new SendMessageRequest("hi")));
    }

    [Fact]
    public async Task Creating_an_existing_channel_is_refused()
    {
        var channel = NewChannel();
        await channel.Create(Alice, "first", isPrivate: false);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelExists, () => channel.Create(Bob, "second", isPrivate: false));
        Assert.Equal("alice", (await channel.GetInfo(Alice)).OwnerId);
    }

    [Fact]
    public async Task A_resent_nonce_returns_the_original_message_and_stores_nothing_new()
    {
        var channel = NewChannel();
        var info = await channel.Create(Alice, "nonce", isPrivate: false);

        var first = await channel.SendMessage(Alice, new SendMessageRequest("once", Nonce: "n-1"));
        var again = await channel.SendMessage(Alice, new SendMessageRequest("once", Nonce: "n-1"));

        Assert.Equal(first, again);
        Assert.Equal(1, await fixture.Servers.CountMessagesAsync(info.Id));
    }

    [Fact]
    public async Task A_reply_must_name_a_message_of_the_same_channel()
    {
        var channel = NewChannel();
        await channel.Create(Alice, "replies", isPrivate: false);
        var other = NewChannel();
        await other.Create(Alice, "elsewhere", isPrivate: false);
        var elsewhere = await other.SendMessage(Alice, new SendMessageRequest("over there"));
        var original = await channel.SendMessage(Alice, new SendMessageRequest("original"));

        var reply = await channel.SendMessage(Alice, new SendMessageRequest("reply", ReplyToId: original.Id));

        Assert.Equal(original.Id, reply.ReplyToId);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ReplyNotFound,
            () => channel.SendMessage(Alice, new SendMessageRequest("cross", ReplyToId: elsewhere.Id)));
    }

    [Fact]
    public async Task A_defect_during_a_send_reaches_the_caller_as_itself_never_as_storage_unavailable()
    {
        var channel = NewChannel();
        await channel.Create(Alice, "defect", isPrivate: false);
        var quoted = await channel.SendMessage(Alice, new SendMessageRequest("to be quoted"));
        await fixture.Servers.CorruptMentionsAsync(quoted.Id);

        // Quoting the corrupt row throws while PostgreSQL answers fine: no outage to report.
        await Assert.ThrowsAsync<InvalidCastException>(() => channel.SendMessage(Alice, new SendMessageRequest("a reply", ReplyToId: quoted.Id)));

        Assert.Equal(2, (await channel.SendMessage(Alice, new SendMessageRequest("still here"))).Seq);
    }

    [Fact]
    public async Task A_sent_message_is_published_on_the_channel_stream()
    {
        var channel = NewChannel();
        var info = await channel.Create(Alice, "stream", isPrivate: false);
        var received = new TaskCompletionSource<ChannelEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = fixture.Client.GetStreamProvider(StreamNames.Provider)
            .GetStream<ChannelEvent>(StreamId.Create(StreamNames.Channel, info.Id));
        var subscription = await stream.SubscribeAsync((item, _) =>
        {
            received.TrySetResult(item);
            return Task.CompletedTask;
        });

        var sent = await channel.SendMessage(Alice, new SendMessageRequest("streamed"));

        var published = await received.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(sent, Assert.IsType<MessageCreated>(published).Message);
        await subscription.UnsubscribeAsync();
    }
}
