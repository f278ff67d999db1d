using Cryb.Gateway.Fanout;
using Cryb.Presence;

namespace Cryb.Tests.Gateway;

/// <summary>
/// A gateway gathers presence changes per connection and sends them as one frame per interval:
/// these are the rules that make a batch say what one frame per change would have said.
/// </summary>
public sealed class PendingPresenceTests
{
    [Fact]
    public void A_batch_holds_each_connection_the_changes_it_shares_a_channel_with_one_frame_for_many_users()
    {
        var pending = new PendingPresence();

        pending.Add(["c1", "c2"], Change("alice", 1, PresenceStatus.Online));
        pending.Add(["c1"], Change("bob", 1, PresenceStatus.Online));
        pending.Add(["c2", "c3"], Change("carol", 1, PresenceStatus.Idle));

        var batches = pending.TakeAll();
        Assert.Equal(["alice", "bob"], Users(BatchOf(batches, "c1")));
        Assert.Equal(["alice", "carol"], Users(BatchOf(batches, "c2")));
        Assert.Equal(["carol"], Users(BatchOf(batches, "c3")));
        Assert.Equal(3, batches.Count);
    }

    [Fact]
    public void Connections_that_are_to_hear_the_same_changes_share_one_batch_whatever_the_order_they_came_in()
    {
        var pending = new PendingPresence();
        var (alice, bob) = (Change("alice", 1, PresenceStatus.Online), Change("bob", 1, PresenceStatus.Online));

        pending.Add(["c1", "c2"], alice);
        pending.Add(["c3"], bob);
        pending.Add(["c3", "c2", "c1"], Change("bob", 2, PresenceStatus.Idle));
        pending.Add(["c3"], Change("alice", 2, PresenceStatus.Idle));

        var batches = pending.TakeAll();
        var shared = Assert.Single(batches, batch => batch.ConnectionIds.Contains("c1"));
        Assert.Equal(["c1", "c2"], shared.ConnectionIds.Order(StringComparer.Ordinal));
        Assert.Equal(["alice", "bob"], Users(shared));
        // c3 heard a newer alice: another batch.
        Assert.Equal(2, batches.Count);
    }

    [Fact]
    public void A_connection_listed_twice_in_one_change_hears_it_once_and_a_change_for_nobody_leaves_no_version()
    {
        var pending = new PendingPresence();

        // alice shares two servers with c1: the gateway lists c1 once per server.
        pending.Add(["c1", "c2", "c1"], Change("alice", 1, PresenceStatus.Online));
        // bob's change concerns nobody here: an older copy that comes later for c3 is still heard.
        pending.Add([], Change("bob", 5, PresenceStatus.Online));
        pending.Add(["c3"], Change("bob", 4, PresenceStatus.Idle));

        var batches = pending.TakeAll();
        var shared = Assert.Single(batches, batch => batch.ConnectionIds.Contains("c1"));
        Assert.Equal(["c1", "c2"], shared.ConnectionIds.Order(StringComparer.Ordinal));
        Assert.Equal(["alice"], Users(shared));
        Assert.Equal(PresenceStatus.Idle, Assert.Single(BatchOf(batches, "c3").Changes).Presence.Status);
    }

    [Fact]
    public void The_newest_change_of_a_user_replaces_the_one_waiting()
    {
        var pending = new PendingPresence();

        pending.Add(["c1"], Change("alice", 1, PresenceStatus.Online));
        pending.Add(["c1"], Change("alice", 2, PresenceStatus.Dnd));

        var change = Assert.Single(BatchOf(pending.TakeAll(), "c1").Changes);
        Assert.Equal(PresenceStatus.Dnd, change.Presence.Status);
    }

    [Fact]
    public void An_older_version_is_dropped_in_the_same_batch_and_in_later_ones()
    {
        var pending = new PendingPresence();

        pending.Add(["c1"], Change("alice", 5, PresenceStatus.Offline));
        pending.Add(["c1"], Change("alice", 4, PresenceStatus.Online));
        Assert.Equal(PresenceStatus.Offline, Assert.Single(BatchOf(pending.TakeAll(), "c1").Changes).Presence.Status);

        // A copy caught up after a resubscription, or a duplicate: nothing to send.
        pending.Add(["c1"], Change("alice", 5, PresenceStatus.Offline));
        pending.Add(["c1"], Change("alice", 3, PresenceStatus.Online));
        Assert.Empty(pending.TakeAll());

        pending.Add(["c1"], Change("alice", 6, PresenceStatus.Online));
        Assert.Equal(6, Assert.Single(BatchOf(pending.TakeAll(), "c1").Changes).Version);
    }

    [Fact]
    public void Taking_a_batch_starts_the_next_one_empty()
    {
        var pending = new PendingPresence();
        pending.Add(["c1"], Change("alice", 1, PresenceStatus.Online));

        Assert.Single(pending.TakeAll());
        Assert.Empty(pending.TakeAll());
    }

    private static PresenceChanged Change(string userId, long version, PresenceStatus status) =>
        new(new PresenceInfo(userId, status, null, status == PresenceStatus.Offline ? [] : [DeviceKind.Web], null), ["ch"], version);

    private static PresenceBatch BatchOf(IReadOnlyList<PresenceBatch> batches, string connectionId) =>
        Assert.Single(batches, batch => batch.ConnectionIds.Contains(connectionId));

    private static string[] Users(PresenceBatch batch) =>
        batch.Changes.Select(change => change.Presence.UserId).Order(StringComparer.Ordinal).ToArray();
}
