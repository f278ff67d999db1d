using Cryb.Grains.Notifications;
using Cryb.Grains.Storage;
using Cryb.Relationships;

namespace Cryb.Grains.Relationships;

/// <summary>
/// The relationship store through the <see cref="StorageGuard"/>: a failure that remains is refused
/// as <c>storage_unavailable</c>. A pair's change is not repeated (it decides on what it reads, and a
/// commit whose answer was lost must not be decided again); the privacy upsert is repeatable.
/// </summary>
public sealed class ResilientRelationshipStore(PostgresRelationshipStore inner, StorageGuard guard) : IRelationshipStore
{
    public Task<IReadOnlyList<PairSides>> ListAsync(string userId) => guard.ReadAsync(() => inner.ListAsync(userId), userId);

    public Task<PairSides> ReadAsync(string userId, string otherId) => guard.ReadAsync(() => inner.ReadAsync(userId, otherId), userId);

    public Task<PairChange> ChangeAsync(string userId, string otherId, Func<PairFacts, PairDecision> decide, DateTimeOffset now) =>
        guard.WriteAsync(() => inner.ChangeAsync(userId, otherId, decide, now), userId);

    public Task<PrivacySettings> GetPrivacyAsync(string userId) => guard.ReadAsync(() => inner.GetPrivacyAsync(userId), userId);

    public Task<IReadOnlyList<Invitation>> ListInvitationsAsync(string userId) => guard.ReadAsync(() => inner.ListInvitationsAsync(userId), userId);

    public Task<(IReadOnlyList<string> Dropped, IReadOnlyList<WrittenNotification> Notified)> AddInvitationAsync(string userId, Invitation invitation, int keep) =>
        guard.WriteAsync(() => inner.AddInvitationAsync(userId, invitation, keep), userId);

    public Task<bool> RemoveInvitationAsync(string userId, string channelId) =>
        guard.WriteAsync(() => inner.RemoveInvitationAsync(userId, channelId), userId);

    public Task SetPrivacyAsync(string userId, PrivacySettings settings) =>
        guard.RepeatableWriteAsync(() => inner.SetPrivacyAsync(userId, settings), userId);
}
