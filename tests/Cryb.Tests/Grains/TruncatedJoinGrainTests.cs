using Cryb.Channels;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Grains;

/// <summary>
/// What docs/protocol.md ("Keeping a client in sync") tells a client far behind to do: a truncated
/// <c>JoinChannel</c> holds the oldest changes, and calling it again from the last one's
/// <c>revisionSeq</c> until it is not truncated brings every change, edits and deletions of older
/// messages included, which paging <c>GetHistory</c> would not.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TruncatedJoinGrainTests(ClusterFixture fixture)
{
    private static readonly Caller Alice = TestAccounts.User("alice");
    private static readonly Caller Bob = TestAccounts.User("bob");

    [Fact]
    public async Task A_truncated_join_continued_from_its_last_revision_brings_every_change_edits_and_deletions_included()
    {
        var channel = fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());
        await channel.Create(Alice, "far behind", isPrivate: false);
        await channel.Join(Bob, null);
        var old = await channel.SendMessage(Alice, new SendMessageRequest("old"));
        var gone = await channel.SendMessage(Alice, new SendMessageRequest("gone"));
        var lastApplied = gone.Seq; // Bob holds both, then is away while more than a join's worth changes.
        var sent = new List<ChatMessage>();
        for (var i = 0; i < ChannelLimits.MaxMissedOnJoin + 5; i++)
        {
            sent.Add(await channel.SendMessage(Alice, new SendMessageRequest($"m{i}")));
        }

        var edited = await channel.EditMessage(Alice, old.Id, "old, edited");
        await channel.DeleteMessage(Alice, gone.Id);

        var first = await channel.Join(Bob, lastApplied);
        var pages = new List<JoinResult> { first };
        while (pages[^1].Truncated)
        {
            pages.Add(await channel.Join(Bob, pages[^1].Missed[^1].RevisionSeq));
        }

        // The first answer holds the oldest changes: the edit and the deletion came last, so a client
        // that took latestSeq from it and paged GetHistory instead would never see them.
        Assert.True(first.Truncated);
        Assert.DoesNotContain(first.Missed, message => message.Id == old.Id || message.Id == gone.Id);
        Assert.DoesNotContain(await channel.GetHistory(Bob, null, ChannelLimits.MaxHistoryPage), message => message.Id == gone.Id);

        var missed = pages.SelectMany(page => page.Missed).ToList();
        Assert.Equal(2, pages.Count);
        Assert.Equal(missed.Count, missed.Select(message => message.Id).Distinct().Count());
        Assert.Equal(sent.Select(message => message.Id).Append(old.Id).Append(gone.Id), missed.Select(message => message.Id));
        var oldNow = missed.Single(message => message.Id == old.Id);
        Assert.Equal(("old, edited", edited.RevisionSeq), (oldNow.Content, oldNow.RevisionSeq));
        Assert.True(missed.Single(message => message.Id == gone.Id) is { Deleted: true, Content: "" });
        Assert.Equal(missed[^1].RevisionSeq, pages[^1].LatestSeq);
    }
}
