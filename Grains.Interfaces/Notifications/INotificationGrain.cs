using Cryb.Identity;
using Orleans.Concurrency;

namespace Cryb.Notifications;

/// <summary>
/// A user's notification inbox, keyed by user id: reading it, the read cursor, settings and Web Push
/// subscriptions. It writes no notification: those are written with what caused them (a channel's
/// commit, a relationship's transaction). Every method is the user's own.
/// </summary>
[Alias("cryb.INotificationGrain")]
public interface INotificationGrain : IGrainWithStringKey
{
    /// <summary>Notifications before <paramref name="beforeSeq"/> (or the newest), newest first, at most <paramref name="limit"/> (1 to <see cref="NotificationLimits.MaxPage"/>); only those after the read cursor if <paramref name="unreadOnly"/>.</summary>
    [Alias("Get"), AlwaysInterleave]
    Task<IReadOnlyList<Notification>> Get(Caller caller, long? beforeSeq, int limit, bool unreadOnly);

    /// <summary>The notifications after <paramref name="afterSeq"/>, oldest first, a page at most: what a reconnecting client missed.</summary>
    [Alias("Resume"), AlwaysInterleave]
    Task<NotificationResume> Resume(Caller caller, long afterSeq);

    /// <summary>The newest seq, read cursor, unread count, and each channel's unread mentions after the given read positions.</summary>
    [Alias("GetSummary"), AlwaysInterleave]
    Task<NotificationSummary> GetSummary(Caller caller, IReadOnlyDictionary<string, long> lastReadSeqs);

    /// <summary>Moves the read cursor to <paramref name="upToSeq"/> (only forward, at most the newest seq); the user's devices hear <see cref="NotificationsAcked"/>.</summary>
    [Alias("Ack")]
    Task<NotificationsAcked> Ack(Caller caller, long upToSeq);

    /// <summary>Every setting the user made (scopes without one inherit, down to the default: mentions).</summary>
    [Alias("GetSettings"), AlwaysInterleave]
    Task<IReadOnlyList<NotificationSetting>> GetSettings(Caller caller);

    /// <summary>Replaces the setting of one scope; a setting equal to the default removes it. <c>limit_reached</c> past <see cref="NotificationLimits.MaxSettings"/>.</summary>
    [Alias("UpdateSettings")]
    Task<NotificationSetting> UpdateSettings(Caller caller, NotificationSetting setting);

    /// <summary>Adds (or moves to this user) a Web Push subscription; the oldest goes past <see cref="NotificationLimits.MaxPushSubscriptions"/>.</summary>
    [Alias("RegisterPushSubscription")]
    Task RegisterPushSubscription(Caller caller, PushSubscription subscription);

    /// <summary>Removes the user's subscription with this endpoint; nothing if there is none.</summary>
    [Alias("UnregisterPushSubscription")]
    Task UnregisterPushSubscription(Caller caller, string endpoint);
}
