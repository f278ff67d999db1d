using Cryb.Grains.Storage;
using Cryb.Notifications;

namespace Cryb.Grains.Notifications;

/// <summary>
/// The notification store through the <see cref="StorageGuard"/>: a failure that remains is refused
/// as <c>storage_unavailable</c>. Writes that set values (a cursor, a setting, a subscription) may
/// run twice; writing notifications may not (a second run would number them again).
/// </summary>
public sealed class ResilientNotificationStore(PostgresNotificationStore inner, StorageGuard guard) : INotificationStore
{
    public Task<IReadOnlyList<Notification>> GetBeforeAsync(string userId, long beforeSeq, int limit, bool unreadOnly) =>
        guard.ReadAsync(() => inner.GetBeforeAsync(userId, beforeSeq, limit, unreadOnly), userId);

    public Task<IReadOnlyList<Notification>> GetAfterAsync(string userId, long afterSeq, int limit) =>
        guard.ReadAsync(() => inner.GetAfterAsync(userId, afterSeq, limit), userId);

    public Task<(long LastSeq, long AckedSeq)> GetCursorAsync(string userId) => guard.ReadAsync(() => inner.GetCursorAsync(userId), userId);

    public Task<NotificationSummary> GetSummaryAsync(string userId, IReadOnlyDictionary<string, long> lastReadSeqs) =>
        guard.ReadAsync(() => inner.GetSummaryAsync(userId, lastReadSeqs), userId);

    public Task<int> CountMentionsAsync(string userId, string channelId, long lastReadSeq) =>
        guard.ReadAsync(() => inner.CountMentionsAsync(userId, channelId, lastReadSeq), userId);

    public Task<(long AckedSeq, int UnreadCount)> AckAsync(string userId, long upToSeq) =>
        guard.ReadAsync(() => inner.AckAsync(userId, upToSeq), userId);

    public Task<IReadOnlyList<NotificationSetting>> GetSettingsAsync(string userId) => guard.ReadAsync(() => inner.GetSettingsAsync(userId), userId);

    public Task<bool> SaveSettingAsync(string userId, NotificationScope scope, NotificationSetting setting) =>
        guard.ReadAsync(() => inner.SaveSettingAsync(userId, scope, setting), userId);

    public Task<IReadOnlyList<string>> UsersWithLevelAllAsync(string? guildId, string channelId) =>
        guard.ReadAsync(() => inner.UsersWithLevelAllAsync(guildId, channelId), channelId);

    public Task RegisterPushAsync(string userId, PushSubscription subscription, DateTimeOffset now) =>
        guard.RepeatableWriteAsync(() => inner.RegisterPushAsync(userId, subscription, now), userId);

    public Task UnregisterPushAsync(string userId, string endpoint) =>
        guard.RepeatableWriteAsync(() => inner.UnregisterPushAsync(userId, endpoint), userId);

    public Task<IReadOnlyList<WrittenNotification>> WriteAsync(IReadOnlyList<NotificationDraft> drafts) =>
        guard.WriteAsync(() => inner.WriteAsync(drafts), drafts.Count > 0 ? drafts[0].UserId : null);

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, int limit) => guard.ReadAsync(() => inner.DeleteExpiredAsync(now, limit), null);
}
