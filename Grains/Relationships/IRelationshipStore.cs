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
    /// writes its decision (a refusal it throws changes nothing) and returns the row as written.
    /// </summary>
    Task<PairSides> ChangeAsync(string userId, string otherId, Func<PairFacts, PairDecision> decide, DateTimeOffset now);

    Task<PrivacySettings> GetPrivacyAsync(string userId);

    /// <summary>The user's pending invitations, newest first.</summary>
    Task<IReadOnlyList<Invitation>> ListInvitationsAsync(string userId);

    /// <summary>Records (or refreshes) the invitation and drops the user's oldest past <paramref name="keep"/>; returns the channels dropped.</summary>
    Task<IReadOnlyList<string>> AddInvitationAsync(string userId, Invitation invitation, int keep);

    /// <summary>Deletes the invitation; false if there was none.</summary>
    Task<bool> RemoveInvitationAsync(string userId, string channelId);

    Task SetPrivacyAsync(string userId, PrivacySettings settings);
}
