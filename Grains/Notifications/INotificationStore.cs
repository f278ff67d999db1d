using Cryb.Notifications;

namespace Cryb.Grains.Notifications;

/// <summary>
/// Users' notifications, read cursors, settings and push subscriptions in PostgreSQL (the
/// <c>notifications</c>, <c>notification_inboxes</c>, <c>notification_settings</c> and
/// <c>push_subscriptions</c> tables). Notifications themselves are written by
/// <see cref="NotificationStatement"/>, in the transaction of what caused them.
/// </summary>
public interface INotificationStore
{
    /// <summary>Before <paramref name="beforeSeq"/>, newest first; only after the read cursor if <paramref name="unreadOnly"/>.</summary>
    Task<IReadOnlyList<Notification>> GetBeforeAsync(string userId, long beforeSeq, int limit, bool unreadOnly);

    /// <summary>After <paramref name="afterSeq"/>, oldest first.</summary>
    Task<IReadOnlyList<Notification>> GetAfterAsync(string userId, long afterSeq, int limit);

    /// <summary>The newest seq and the read cursor (0 and 0 for a user never notified).</summary>
    Task<(long LastSeq, long AckedSeq)> GetCursorAsync(string userId);

    /// <summary>The cursor, the unread count (capped) and each channel's unread mentions after its read position.</summary>
    Task<NotificationSummary> GetSummaryAsync(string userId, IReadOnlyDictionary<string, long> lastReadSeqs);

    /// <summary>A channel's notifications counting as mentions after the read position <paramref name="lastReadSeq"/>.</summary>
    Task<int> CountMentionsAsync(string userId, string channelId, long lastReadSeq);

    /// <summary>Moves the read cursor forward to <paramref name="upToSeq"/> (never past the newest); returns the cursor and unread count after.</summary>
    Task<(long AckedSeq, int UnreadCount)> AckAsync(string userId, long upToSeq);

    Task<IReadOnlyList<NotificationSetting>> GetSettingsAsync(string userId);

    /// <summary>Replaces (or, for a default one, removes) a scope's setting; false if it would be one more than <see cref="NotificationLimits.MaxSettings"/>.</summary>
    Task<bool> SaveSettingAsync(string userId, NotificationScope scope, NotificationSetting setting);

    /// <summary>The users whose level for the channel, or for its server, is "all" (the channel's own setting may still override the server's).</summary>
    Task<IReadOnlyList<string>> UsersWithLevelAllAsync(string? guildId, string channelId);

    /// <summary>Adds the subscription for the user (moving it from another user), dropping the user's oldest past the limit.</summary>
    Task RegisterPushAsync(string userId, PushSubscription subscription, DateTimeOffset now);

    Task UnregisterPushAsync(string userId, string endpoint);

    /// <summary>Writes notifications of no message (a friend request, an invitation) in their own transaction.</summary>
    Task<IReadOnlyList<WrittenNotification>> WriteAsync(IReadOnlyList<NotificationDraft> drafts);

    /// <summary>Deletes each user's notifications older than <see cref="NotificationLimits.KeptFor"/> beyond their newest <see cref="NotificationLimits.KeptPerUser"/>, at most <paramref name="limit"/> rows; returns how many.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now, int limit);
}
