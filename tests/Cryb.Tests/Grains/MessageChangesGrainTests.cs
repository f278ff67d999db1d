using Cryb.Channels;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Grains;

/// <summary>Edits, deletions, reactions, replies and mentions: every change takes the channel's next seq.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MessageChangesGrainTests(ClusterFixture fixture)
{
    private static readonly Caller Alice = TestAccounts.User("alice");
    private static readonly Caller Bob = TestAccounts.User("bob");

    private async Task<IChannelGrain> ChannelWithBobAsync()
    {
        var channel = fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());
        await channel.Create(Alice, "changes", isPrivate: false);
        await channel.Join(Bob, null);
        return channel;
    }

    [Fact]
    public async Task Only_the_author_edits_and_the_edit_takes_the_next_seq()
    {
        var channel = await ChannelWithBobAsync();
        var sent = await channel.SendMessage(Bob, new SendMessageRequest("tpyo"));

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.EditMessage(Alice, sent.Id, "hijacked"));
        var edited = await channel.EditMessage(Bob, sent.Id, "typo fixed <@alice>");

        Assert.Equal((sent.Seq, sent.Seq + 1), (edited.Seq, edited.RevisionSeq));
        Assert.NotNull(edited.EditedAt);
        Assert.Equal(["alice"], edited.Mentions);
        Assert.Equal(edited, Assert.Single(await channel.GetHistory(Alice, null, 10)));
    }

    [Fact]
    public async Task Authors_admins_and_owners_delete_and_deleted_messages_are_gone_from_history()
    {
        var channel = await ChannelWithBobAsync();
        var bobs = await channel.SendMessage(Bob, new SendMessageRequest("bob's"));
        var alices = await channel.SendMessage(Alice, new SendMessageRequest("alice's"));

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => channel.DeleteMessage(Bob, alices.Id));
        await channel.DeleteMessage(Alice, bobs.Id);   // the owner deletes anyone's
        await channel.DeleteMessage(Alice, alices.Id); // an author deletes their own

        Assert.Empty(await channel.GetHistory(Bob, null, 10));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.MessageNotFound, () => channel.EditMessage(Bob, bobs.Id, "back?"));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.MessageNotFound, () => channel.DeleteMessage(Bob, Guid.NewGuid().ToString()));
    }

    [Fact]
    public async Task Reactions_are_one_per_user_per_emoji_with_counts_and_who()
    {
        var channel = await ChannelWithBobAsync();
        var message = await channel.SendMessage(Alice, new SendMessageRequest("react to me"));

        await channel.AddReaction(Alice, message.Id, "👍");
        await channel.AddReaction(Bob, message.Id, "👍");
        var again = await channel.AddReaction(Bob, message.Id, "👍");
        var afterRemove = await channel.RemoveReaction(Alice, message.Id, "👍");

        Assert.Equal(new ReactionSummary("👍", 2, ["alice", "bob"]), Assert.Single(again));
        Assert.Equal(new ReactionSummary("👍", 1, ["bob"]), Assert.Single(afterRemove));
        // Two additions and one removal changed something; the repeated addition did not.
        var join = await channel.Join(Bob, sinceSeq: message.Seq);
        Assert.Equal(message.Seq + 3, join.LatestSeq);
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.InvalidEmoji, () => channel.AddReaction(Bob, message.Id, "two words"));
    }

    [Fact]
    public async Task A_reply_carries_an_excerpt_of_the_original()
    {
        var channel = await ChannelWithBobAsync();
        var original = await channel.SendMessage(Alice, new SendMessageRequest(new string('o', 300)));

        var reply = await channel.SendMessage(Bob, new SendMessageRequest("agreed", ReplyToId: original.Id));

        Assert.Equal(original.Id, reply.ReplyTo!.MessageId);
        Assert.Equal("alice", reply.ReplyTo.AuthorId);
        Assert.Equal(MessageLimits.ReplyExcerptLength, reply.ReplyTo.Excerpt.Length);
        Assert.Equal(reply, (await channel.GetHistory(Bob, null, 1))[0]);
    }

    [Fact]
    public async Task Joining_since_a_seq_returns_each_changed_message_once_in_its_latest_state()
    {
        var channel = await ChannelWithBobAsync();
        var first = await channel.SendMessage(Alice, new SendMessageRequest("first"));
        var second = await channel.SendMessage(Alice, new SendMessageRequest("second"));
        var third = await channel.SendMessage(Alice, new SendMessageRequest("third"));
        await channel.EditMessage(Alice, first.Id, "first, edited");
        await channel.DeleteMessage(Alice, second.Id);

        var join = await channel.Join(Bob, sinceSeq: first.Seq);

        Assert.Equal(third.Seq + 2, join.LatestSeq);
        Assert.Equal([third.Id, first.Id, second.Id], join.Missed.Select(m => m.Id));
        Assert.Equal("first, edited", join.Missed[1].Content);
        Assert.True(join.Missed[2] is { Deleted: true, Content: "" });
    }

    [Fact]
    public async Task Joining_far_behind_is_truncated_at_the_documented_limit()
    {
        var channel = await ChannelWithBobAsync();
        for (var i = 0; i < ChannelLimits.MaxMissedOnJoin + 5; i++)
        {
            await channel.SendMessage(Alice, new SendMessageRequest($"m{i}"));
        }

        var join = await channel.Join(Bob, sinceSeq: 0);

        Assert.True(join.Truncated);
        Assert.Equal(ChannelLimits.MaxMissedOnJoin, join.Missed.Count);
        Assert.Equal(Enumerable.Range(1, ChannelLimits.MaxMissedOnJoin).Select(i => (long)i), join.Missed.Select(m => m.Seq));
    }

    [Fact]
    public async Task A_gateway_pages_the_changes_after_a_seq_and_learns_which_of_its_users_are_no_longer_members()
    {
        var channel = await ChannelWithBobAsync();
        var sent = new List<ChatMessage>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await channel.SendMessage(Alice, new SendMessageRequest($"m{i}")));
        }

        await fixture.Client.GetGrain<IGuildGrain>(channel.GetPrimaryKeyString()).Leave(Bob); // the channel's server

        var page = await channel.GetChangesAfter(TestAccounts.Gateway, sent[0].Seq, limit: 3, ["alice", "bob"]);
        var rest = await channel.GetChangesAfter(TestAccounts.Gateway, page.Changes[^1].RevisionSeq, limit: 3, []);

        Assert.True(page.Truncated);
        Assert.Equal(sent[1..4], page.Changes);
        Assert.Equal(["bob"], page.NotMembers);
        Assert.False(rest.Truncated);
        Assert.Equal([sent[4]], rest.Changes);
    }

    [Fact]
    public async Task Unread_counts_skip_own_and_deleted_messages()
    {
        var channel = await ChannelWithBobAsync();
        await channel.SendMessage(Alice, new SendMessageRequest("one"));
        var two = await channel.SendMessage(Alice, new SendMessageRequest("two"));
        await channel.SendMessage(Bob, new SendMessageRequest("mine"));
        await channel.SendMessage(Alice, new SendMessageRequest("three"));
        await channel.DeleteMessage(Alice, two.Id);

        var summary = await channel.GetSummary(Bob, lastReadSeq: 0);

        Assert.Equal(2, summary.UnreadCount);
        Assert.Equal(5, summary.LatestSeq);
        Assert.Equal(ChannelRole.Member, summary.Role);
    }
}
