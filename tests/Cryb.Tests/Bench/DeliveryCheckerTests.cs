using Cryb.Bench.Load;
using Cryb.Bench.Reporting;

namespace Cryb.Tests.Bench;

/// <summary>
/// The correctness verdict of every message scenario: each failure kind is fed in and must be
/// counted. Under <c>soak</c>'s churn, a resumed connection owes every acknowledged seq after the
/// one it resumed from, from the resume or live; a connection that left owes what it lacked below
/// the last seq it got, and nothing after.
/// </summary>
public sealed class DeliveryCheckerTests
{
    [Fact]
    public void Every_acknowledged_message_delivered_once_in_order_passes()
    {
        var (checker, alice, bob) = TwoMembers();
        Acknowledge(checker, 1, 2, 3);
        foreach (var seq in new long[] { 1, 2, 3 })
        {
            Assert.Equal(DeliveryOutcome.InOrder, DeliveryChecker.Deliver(alice, seq));
            Assert.Equal(DeliveryOutcome.InOrder, DeliveryChecker.Deliver(bob, seq));
        }

        var report = checker.Check();
        Assert.Empty(Verdict(report));
        Assert.Equal(3, report.Acknowledged);
        Assert.Equal(6, report.ExpectedDeliveries);
        Assert.Equal(6, report.DeliveredAcknowledged);
        Assert.Equal(0, report.LostDeliveries);
    }

    [Fact]
    public void A_gap_at_one_member_is_a_lost_delivery()
    {
        var (checker, alice, bob) = TwoMembers();
        Acknowledge(checker, 1, 2, 3);
        DeliverAll(alice, 1, 2, 3);
        DeliverAll(bob, 1, 3);

        var report = checker.Check();
        Assert.NotEmpty(Verdict(report));
        Assert.Equal(1, report.LostDeliveries);
        Assert.Equal(1, report.LostMessages);
        Assert.Equal(5, report.DeliveredAcknowledged);
    }

    [Fact]
    public void A_message_missing_everywhere_counts_once_as_a_message_and_per_member_as_deliveries()
    {
        var (checker, alice, bob) = TwoMembers();
        Acknowledge(checker, 1, 2);
        DeliverAll(alice, 1);
        DeliverAll(bob, 1);

        var report = checker.Check();
        Assert.Equal(2, report.LostDeliveries);
        Assert.Equal(1, report.LostMessages);
    }

    [Fact]
    public void A_delivery_missing_when_checked_is_lost_however_recent_its_acknowledgement()
    {
        var (checker, alice, _) = TwoMembers();
        Acknowledge(checker, 1);
        DeliverAll(alice, 1);

        var report = checker.Check();
        Assert.NotEmpty(Verdict(report));
        Assert.Equal(1, report.LostDeliveries);
        Assert.Equal(1, report.LostMessages);
    }

    [Fact]
    public void The_same_seq_twice_is_a_duplicate()
    {
        var (checker, alice, bob) = TwoMembers();
        Acknowledge(checker, 1, 2);
        DeliverAll(alice, 1, 2);
        DeliverAll(bob, 1);
        Assert.Equal(DeliveryOutcome.InOrder, DeliveryChecker.Deliver(bob, 2));
        Assert.Equal(DeliveryOutcome.Duplicate, DeliveryChecker.Deliver(bob, 2));

        var report = checker.Check();
        Assert.NotEmpty(Verdict(report));
        Assert.Equal(1, report.Duplicates);
        Assert.Equal(0, report.LostDeliveries);
        Assert.Equal(4, report.DeliveredAcknowledged);
    }

    [Fact]
    public void A_lower_seq_after_a_higher_one_is_out_of_order()
    {
        var (checker, alice, bob) = TwoMembers();
        Acknowledge(checker, 1, 2, 3);
        DeliverAll(alice, 1, 2, 3);
        Assert.Equal(DeliveryOutcome.InOrder, DeliveryChecker.Deliver(bob, 1));
        Assert.Equal(DeliveryOutcome.InOrder, DeliveryChecker.Deliver(bob, 3));
        Assert.Equal(DeliveryOutcome.OutOfOrder, DeliveryChecker.Deliver(bob, 2));

        var report = checker.Check();
        Assert.NotEmpty(Verdict(report));
        Assert.Equal(1, report.OutOfOrder);
        Assert.Equal(0, report.LostDeliveries);
    }

    [Fact]
    public void Channels_are_checked_apart_and_gaps_between_seqs_are_fine()
    {
        var checker = new DeliveryChecker();
        var first = checker.AddChannel();
        var second = checker.AddChannel();
        var inFirst = checker.AddReceiver(first);
        var inSecond = checker.AddReceiver(second);
        // Seqs 2 and 4 belong to other changes (joins): only acknowledged messages are expected.
        checker.Acknowledge(first, 1);
        checker.Acknowledge(first, 3);
        checker.Acknowledge(second, 1);
        DeliverAll(inFirst, 1, 3);

        var report = checker.Check();
        Assert.Equal(1, report.LostDeliveries);
        Assert.Equal(3, report.ExpectedDeliveries);
        DeliverAll(inSecond, 1);
        Assert.Empty(Verdict(checker.Check()));
    }

    [Fact]
    public void A_disconnected_member_is_not_expected_to_receive_but_fails_the_step()
    {
        var (checker, alice, bob) = TwoMembers();
        Acknowledge(checker, 1, 2);
        DeliverAll(alice, 1, 2);
        DeliverAll(bob, 1);
        DeliveryChecker.Disconnect(bob);

        var report = checker.Check();
        Assert.Equal(0, report.LostDeliveries);
        Assert.Equal(1, report.DisconnectedReceivers);
        Assert.Equal(2, report.ExpectedDeliveries);
        Assert.Equal("1 members lost their connection", Assert.Single(Verdict(report)));
    }

    [Fact]
    public void A_send_never_acknowledged_fails_the_step_whether_refused_or_unanswered()
    {
        var (checker, alice, bob) = TwoMembers();
        Acknowledge(checker, 1);
        DeliverAll(alice, 1);
        DeliverAll(bob, 1);
        var report = checker.Check();

        Assert.Empty(StepVerdict.Failures(report, failedSends: 0, pendingAfterDrain: 0, promisesOrder: true));
        Assert.Equal(
            "3 sends never acknowledged (1 failed or refused, 2 unanswered when the drain ended)",
            Assert.Single(StepVerdict.Failures(report, failedSends: 1, pendingAfterDrain: 2, promisesOrder: true)));
    }

    [Fact]
    public void Reordering_fails_only_a_system_that_promises_order()
    {
        var (checker, alice, bob) = TwoMembers();
        Acknowledge(checker, 1, 2);
        DeliverAll(alice, 1, 2);
        DeliverAll(bob, 2, 1);
        var report = checker.Check();

        Assert.Equal(1, report.OutOfOrder);
        Assert.Single(StepVerdict.Failures(report, 0, 0, promisesOrder: true));
        Assert.Empty(StepVerdict.Failures(report, 0, 0, promisesOrder: false));
    }

    [Fact]
    public void Nothing_acknowledged_fails_since_nothing_was_checked() =>
        Assert.Contains("no send was acknowledged", Assert.Single(Verdict(new DeliveryChecker().Check())));

    [Fact]
    public void Deliveries_of_unacknowledged_messages_are_counted_apart()
    {
        var (checker, alice, _) = TwoMembers();
        Acknowledge(checker, 1);
        DeliverAll(alice, 1, 2);

        var report = checker.Check();
        Assert.Equal(1, report.UnacknowledgedDeliveries);
        Assert.Equal(1, report.LostDeliveries);
    }

    [Fact]
    public void Seqs_far_beyond_the_first_words_grow_the_sets()
    {
        var (checker, alice, bob) = TwoMembers();
        Acknowledge(checker, 5_000, 100_000);
        DeliverAll(alice, 5_000, 100_000);
        DeliverAll(bob, 100_000);

        var report = checker.Check();
        Assert.Equal(1, report.LostDeliveries);
        Assert.Equal(3, report.DeliveredAcknowledged);
    }

    [Fact]
    public void A_member_that_resumes_with_the_missed_messages_lost_nothing()
    {
        var (checker, first) = OneMember();
        Acknowledge(checker, 1, 2, 3, 4, 5);
        DeliverAll(first, 1, 2);

        Assert.Equal(2, checker.Leave(first));
        var second = checker.AddResumingReceiver(0, since: 2);
        // Live events of the new connection may overlap the gap fill: neither a duplicate nor lost.
        DeliverAll(second, 4, 5);
        DeliveryChecker.Resume(second, [3, 4]);

        var report = checker.Check();
        Assert.Equal(0, report.LostDeliveries);
        Assert.Equal(0, report.Duplicates);
        Assert.Equal(0, report.OutOfOrder);
        // Two owed by the first connection, three by the second.
        Assert.Equal(5, report.ExpectedDeliveries);
        Assert.Equal(5, report.DeliveredAcknowledged);
    }

    [Fact]
    public void A_seq_neither_in_the_resume_nor_live_is_lost()
    {
        var (checker, first) = OneMember();
        Acknowledge(checker, 1, 2, 3, 4);
        DeliverAll(first, 1);
        checker.Leave(first);
        var second = checker.AddResumingReceiver(0, since: 1);
        DeliverAll(second, 4);
        DeliveryChecker.Resume(second, [2]);

        var report = checker.Check();
        Assert.Equal(1, report.LostDeliveries);
        Assert.Equal(1, report.LostMessages);
    }

    [Fact]
    public void A_connection_that_left_owes_its_gaps_below_its_last_seq_but_not_what_was_in_flight()
    {
        var (checker, first) = OneMember();
        Acknowledge(checker, 1, 2, 3, 4);
        DeliverAll(first, 1, 3);

        Assert.Equal(3, checker.Leave(first));
        // After leaving, its late deliveries are not checked at all.
        Assert.Equal(DeliveryOutcome.AfterLeaving, DeliveryChecker.Deliver(first, 3));

        var report = checker.Check();
        Assert.Equal(1, report.LostDeliveries);
        Assert.Equal(0, report.Duplicates);
        Assert.Equal(3, report.ExpectedDeliveries);
    }

    [Fact]
    public void A_connection_still_resuming_is_not_checked_and_leaves_owing_nothing()
    {
        var (checker, first) = OneMember();
        Acknowledge(checker, 1, 2);
        DeliverAll(first, 1, 2);
        checker.Leave(first);
        var stuck = checker.AddResumingReceiver(0, since: 2);
        Acknowledge(checker, 3);

        Assert.Equal(0, checker.Check().LostDeliveries);
        Assert.Equal(2, checker.Leave(stuck));
        Assert.Equal(0, checker.Check().LostDeliveries);
    }

    [Fact]
    public void A_live_duplicate_on_one_connection_still_counts()
    {
        var (checker, first) = OneMember();
        Acknowledge(checker, 1, 2);
        checker.Leave(first);
        var second = checker.AddResumingReceiver(0, since: 0);
        DeliverAll(second, 1, 1, 2);
        DeliveryChecker.Resume(second, []);

        Assert.Equal(1, checker.Check().Duplicates);
    }

    private static IReadOnlyList<string> Verdict(CorrectnessReport report) =>
        StepVerdict.Failures(report, failedSends: 0, pendingAfterDrain: 0, promisesOrder: true);

    private static (DeliveryChecker Checker, DeliveryChecker.Receiver Alice, DeliveryChecker.Receiver Bob) TwoMembers()
    {
        var checker = new DeliveryChecker();
        var channel = checker.AddChannel();
        return (checker, checker.AddReceiver(channel), checker.AddReceiver(channel));
    }

    private static (DeliveryChecker Checker, DeliveryChecker.Receiver Member) OneMember()
    {
        var checker = new DeliveryChecker();
        checker.AddChannel();
        return (checker, checker.AddReceiver(0));
    }

    private static void Acknowledge(DeliveryChecker checker, params long[] seqs)
    {
        foreach (var seq in seqs)
        {
            checker.Acknowledge(0, seq);
        }
    }

    private static void DeliverAll(DeliveryChecker.Receiver receiver, params long[] seqs)
    {
        foreach (var seq in seqs)
        {
            DeliveryChecker.Deliver(receiver, seq);
        }
    }
}
