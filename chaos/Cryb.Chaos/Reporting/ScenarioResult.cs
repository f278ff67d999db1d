using Cryb.Bench.Measurement;

namespace Cryb.Chaos.Reporting;

/// <summary>
/// The figures of one scenario. The asserted ones must be zero: <see cref="Lost"/>,
/// <see cref="StoredDuplicates"/>, <see cref="Gaps"/>, <see cref="OutOfOrder"/> and <see cref="UsersShownOffline"/>;
/// and where the fault has a failover target, <see cref="EverySendingAfterSeconds"/> must be within it.
/// </summary>
/// <param name="Lost">Acknowledged messages missing from PostgreSQL (or stored at another seq), or missing at a member that resumed.</param>
/// <param name="StoredDuplicates">Rows sharing a (channel, author, nonce) or a (channel, seq) with another.</param>
/// <param name="SeqHoles">Seqs missing between 1 and the highest stored, over the run's channels.</param>
/// <param name="Gaps">Stored messages of the scenario that a member did not hold once it resumed and the drain ended (one per member and seq).</param>
/// <param name="OutOfOrder">Live events a connection delivered below a seq it had already delivered.</param>
/// <param name="LiveDuplicates">Live events a connection delivered twice.</param>
/// <param name="LiveGaps">Live events that arrived ahead of the next seq, so the client resynced with JoinChannel.</param>
/// <param name="Unknown">Messages with at least one attempt that timed out or was cut off.</param>
/// <param name="UnknownLanded">Of those, the ones PostgreSQL holds (by nonce).</param>
/// <param name="Unsettled">Messages neither acknowledged nor finally refused when the sender gave up.</param>
/// <param name="AckedWhileDown">Acknowledgements of attempts made and answered while PostgreSQL was down.</param>
/// <param name="MaxStorageRefusalSeconds">The slowest <c>storage_unavailable</c> answer.</param>
/// <param name="EverySendingAfterSeconds">From the fault until every channel had acknowledged a send made after it.</param>
/// <param name="AllResumedAfterSeconds">From the fault until every member had received a message sent after it; null if some never did.</param>
/// <param name="UsersShownOffline">Connected users that members of their channel still saw offline when a presence check gave up (only scenarios that check presence).</param>
/// <param name="SendsAgainTargetSeconds">The fault's failover target for <see cref="EverySendingAfterSeconds"/>, if it has one (asserted).</param>
/// <param name="NotRunReason">Why the scenario did not run as written (its fault's own steps threw, or an earlier fault left the cluster broken); null when it ran. A scenario that did not run fails the suite: zeros it never had the chance to break prove nothing.</param>
public sealed record ScenarioResult(
    string Name,
    string Description,
    double DurationSeconds,
    long Sent,
    long Acknowledged,
    long Lost,
    long StoredDuplicates,
    long SeqHoles,
    long Gaps,
    long OutOfOrder,
    long LiveDuplicates,
    long LiveGaps,
    long Unknown,
    long UnknownLanded,
    long Unsettled,
    long AckedWhileDown,
    double? MaxStorageRefusalSeconds,
    SortedDictionary<string, long> Errors,
    long Reconnects,
    long MembersNotResumed,
    double? EverySendingAfterSeconds,
    double? AllResumedAfterSeconds,
    LatencySummary Before,
    LatencySummary During,
    LatencySummary After,
    IReadOnlyList<string> Notes,
    string? NotRunReason = null,
    long UsersShownOffline = 0,
    double? SendsAgainTargetSeconds = null)
{
    public bool Ran => NotRunReason is null;

    /// <summary>Every channel sent again within the fault's failover target, or the fault has none.</summary>
    public bool MetFailoverTarget => SendsAgainTargetSeconds is not { } target || EverySendingAfterSeconds <= target;

    public bool Passed => Ran && Lost == 0 && StoredDuplicates == 0 && Gaps == 0 && OutOfOrder == 0 && UsersShownOffline == 0 && MetFailoverTarget;

    /// <summary>A scenario the suite never reached: no figures, only why.</summary>
    public static ScenarioResult Skipped(string name, string description, string reason) => new(
        name, description, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, [], 0, 0, null, null,
        LatencySummary.Empty, LatencySummary.Empty, LatencySummary.Empty, [], reason);
}
