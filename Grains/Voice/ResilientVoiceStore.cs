using Cryb.Grains.Storage;

namespace Cryb.Grains.Voice;

/// <summary>
/// The voice store as the voice grain sees it: through the <see cref="StorageGuard"/>, as
/// <see cref="Guilds.ResilientGuildStore"/> does; a storage failure that remains is refused as
/// <c>storage_unavailable</c>. An upsert, delete or batch of them is idempotent, so a retry after a broken
/// connection leaves the same row.
/// </summary>
public sealed class ResilientVoiceStore(PostgresVoiceStore inner, StorageGuard guard) : IVoiceStore
{
    public Task<IReadOnlyList<StoredVoiceState>> ListAsync(string guildId) =>
        guard.ReadAsync(() => inner.ListAsync(guildId), guildId);

    public Task UpsertAsync(StoredVoiceState row) =>
        guard.WriteAsync(() => inner.UpsertAsync(row), row.State.GuildId);

    public Task<bool> DeleteAsync(string guildId, string userId, string sessionId) =>
        guard.WriteAsync(() => inner.DeleteAsync(guildId, userId, sessionId), guildId);

    public Task WriteAsync(string guildId, IReadOnlyList<StoredVoiceState> rows, IReadOnlyList<VoiceSessionRef> ends) =>
        guard.WriteAsync(() => inner.WriteAsync(guildId, rows, ends), guildId);
}
