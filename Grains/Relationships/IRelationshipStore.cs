using Cryb.Grains.Notifications;
using Cryb.Relationships;

namespace Cryb.Grains.Relationships;

/// <summary>Relationships and privacy settings in PostgreSQL (Schema/Migrations/0006_relationships.sql).</summary>
public interface IRelationshipStore
{
    /// <summary>Every pair the user is in, from the user's side.</summary>
    Task<IReadOnlyList<PairSides>> ListAsync(string userId);

    /// <summary>The pair from the user's side (<see cref="PairSides.Empty"/> when there is no row).</summary>
    Task<PairSides> ReadAsync(string userId, string otherId);

    /// <summary>
    /// One transaction: locks the pair's row, gives <paramref name="decide"/> the row and the counts,
    /// writes its decision (a refusal it throws changes nothing), with the notifications it causes
    /// (<see cref="RelationshipNotifications"/>), and returns the row as written and what was notified.
    /// </summary>
    Task<PairChange> ChangeAsync(string userId, string otherId, Func<PairFacts, PairDecision> decide, DateTimeOffset now);

    Task<PrivacySettings> GetPrivacyAsync(string userId);

    /// <summary>The user's pending invitations, newest first.</summary>
    Task<IReadOnlyList<Invitation>> ListInvitationsAsync(string userId);

    /// <summary>
    /// Records (or refreshes) the invitation, with its notification, and drops the user's oldest past
    /// <paramref name="keep"/>; returns the channels dropped and what was notified.
    /// </summary>
    Task<(IReadOnlyList<string> Dropped, IReadOnlyList<WrittenNotification> Notified)> AddInvitationAsync(string userId, Invitation invitation, int keep);

    /// <summary>Deletes the invitation; false if there was none.</summary>
    Task<bool> RemoveInvitationAsync(string userId, string channelId);

    Task SetPrivacyAsync(string userId, PrivacySettings settings);
}

/// <summary>A pair's row as a change left it, and the notifications written with it.</summary>
public sealed record PairChange(PairSides Pair, IReadOnlyList<WrittenNotification> Notified);
