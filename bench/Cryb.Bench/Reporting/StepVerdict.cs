using System.Globalization;
using Cryb.Bench.Load;

namespace Cryb.Bench.Reporting;

/// <summary>
/// Whether a message step kept its promise, counting everything: after the drain, a delivery still
/// missing is lost and a send still unanswered is unacknowledged, however recent; a failed or
/// refused send, a duplicate, a dropped connection and (where the system promises order) a
/// reordering each fail the step too.
/// </summary>
public static class StepVerdict
{
    public static IReadOnlyList<string> Failures(CorrectnessReport correctness, long failedSends, long pendingAfterDrain, bool promisesOrder)
    {
        var failures = new List<string>();
        if (correctness.Acknowledged == 0)
        {
            failures.Add("no send was acknowledged, so nothing was checked");
        }

        if (correctness.LostDeliveries > 0)
        {
            failures.Add(Invariant($"{correctness.LostDeliveries} deliveries of {correctness.LostMessages} acknowledged messages still missing when the drain ended"));
        }

        if (failedSends + pendingAfterDrain > 0)
        {
            failures.Add(Invariant($"{failedSends + pendingAfterDrain} sends never acknowledged ({failedSends} failed or refused, {pendingAfterDrain} unanswered when the drain ended)"));
        }

        if (correctness.Duplicates > 0)
        {
            failures.Add(Invariant($"{correctness.Duplicates} duplicate deliveries"));
        }

        if (correctness.OutOfOrder > 0 && promisesOrder)
        {
            failures.Add(Invariant($"{correctness.OutOfOrder} deliveries out of order"));
        }

        if (correctness.DisconnectedReceivers > 0)
        {
            failures.Add(Invariant($"{correctness.DisconnectedReceivers} members lost their connection"));
        }

        return failures;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
