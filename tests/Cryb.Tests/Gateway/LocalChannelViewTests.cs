using Cryb.Channels;
using Cryb.Gateway.Fanout;
using Cryb.Messages;

namespace Cryb.Tests.Gateway;

/// <summary>
/// A gateway's view of a channel answers <c>Ready</c> from memory: these are the rules that keep
/// it equal to what the grain would answer, event by event.
/// </summary>
public sealed class LocalChannelViewTests
{
    private const string ChannelId = "c1";
    private static readonly ChannelInfo Channel = new(ChannelId, "general", false, "owner", DateTimeOffset.UnixEpoch);

    [Fact]
    public void Unread_counts_messages_after_the_read_position_by_others_and_not_deleted()
    {
        var view = new LocalChannelView(View(latestSeq: 3, Recent(1, "alice"), Recent(2, "bob"), Recent(3, "alice", deleted: true)));

        view.Apply(Created(4, "alice"));
        view.Apply(Created(5, "bob"));
        view.Apply(Created(6, "alice"));
        view.Apply(new MessageDeleted(ChannelId, "m6", 7));
        view.Apply(new ReactionsUpdated(ChannelId, "m4", 8, []));

        var bob = view.SummaryFor("bob", lastReadSeq: 1);
        Assert.Equal(8, bob.LatestSeq);
        // After seq 1: m2 and m5 are bob's own, m3 and m6 deleted; m4 is the one.
        Assert.Equal(1, bob.UnreadCount);
        Assert.Equal(2, view.SummaryFor("alice", lastReadSeq: 0).UnreadCount);
        Assert.Equal(0, view.SummaryFor("carol", lastReadSeq: 8).UnreadCount);
        Assert.Equal(4, view.SummaryFor("carol", lastReadSeq: 0).UnreadCount);
    }

    [Fact]
    public void A_reader_behind_every_kept_message_sees_the_cap()
    {
        var view = new LocalChannelView(View(latestSeq: 0));
        for (var seq = 1; seq <= ChannelLimits.UnreadCountCap + 20; seq++)
        {
            view.Apply(Created(seq, "alice"));
        }

        Assert.Equal(ChannelLimits.UnreadCountCap, view.SummaryFor("bob", lastReadSeq: 5).UnreadCount);
        // Within the kept messages the count is exact.
        Assert.Equal(10, view.SummaryFor("bob", lastReadSeq: ChannelLimits.UnreadCountCap + 10).UnreadCount);
    }

    [Fact]
    public void A_channel_of_exactly_the_kept_messages_counts_exactly_and_one_listed_beyond_them_caps()
    {
        var all = Enumerable.Range(1, ChannelLimits.UnreadCountCap).Select(seq => Recent(seq, seq % 2 == 0 ? "bob" : "alice")).ToArray();

        // Nothing older: bob's own half does not count.
        Assert.Equal(ChannelLimits.UnreadCountCap / 2, new LocalChannelView(View(ChannelLimits.UnreadCountCap, all)).SummaryFor("bob", 0).UnreadCount);

        // The grain lists one more than a gateway keeps when older messages exist.
        var withOlder = new LocalChannelView(View(ChannelLimits.UnreadCountCap + 1, [Recent(0, "alice"), .. all.Select(m => m with { Seq = m.Seq + 1 })]));
        Assert.Equal(ChannelLimits.UnreadCountCap, withOlder.SummaryFor("bob", 0).UnreadCount);
    }

    [Fact]
    public void A_message_listed_in_the_view_and_pushed_again_counts_once()
    {
        var view = new LocalChannelView(View(latestSeq: 2, Recent(1, "alice"), Recent(2, "alice")));

        view.Apply(Created(2, "alice"));

        Assert.Equal(2, view.SummaryFor("bob", lastReadSeq: 0).UnreadCount);
    }

    [Fact]
    public void Roles_and_the_channel_follow_their_events()
    {
        var view = new LocalChannelView(View(latestSeq: 0) with { Roles = new Dictionary<string, ChannelRole> { ["owner"] = ChannelRole.Owner } });

        view.Apply(new MemberJoined(ChannelId, "bob", ChannelRole.Member));
        view.Apply(new MemberRoleChanged(ChannelId, "bob", ChannelRole.Admin));
        view.Apply(new MemberJoined(ChannelId, "carol", ChannelRole.Member));
        view.Apply(new ChannelUpdated(Channel with { Name = "renamed", Topic = "news" }));

        Assert.Equal(ChannelRole.Owner, view.SummaryFor("owner", 0).Role);
        Assert.Equal(ChannelRole.Admin, view.SummaryFor("bob", 0).Role);
        Assert.Equal(ChannelRole.Member, view.SummaryFor("carol", 0).Role);
        Assert.Equal(("renamed", "news"), (view.SummaryFor("carol", 0).Channel.Name, view.SummaryFor("carol", 0).Channel.Topic));

        view.Apply(new MemberRoleChanged(ChannelId, "bob", ChannelRole.Member));
        view.Apply(new MemberLeft(ChannelId, "owner", "left"));
        Assert.Equal(ChannelRole.Member, view.SummaryFor("bob", 0).Role);
        Assert.Equal(ChannelRole.Member, view.SummaryFor("owner", 0).Role);
    }

    private static ChannelView View(long latestSeq, params RecentMessage[] recent) =>
        new(Channel, latestSeq, new Dictionary<string, ChannelRole>(), recent);

    private static RecentMessage Recent(long seq, string author, bool deleted = false) => new(seq, $"m{seq}", author, deleted);

    private static MessageCreated Created(long seq, string author) =>
        new(new ChatMessage($"m{seq}", ChannelId, seq, author, "hi", null, null, DateTimeOffset.UnixEpoch, null, seq, false, [], null, []));
}
