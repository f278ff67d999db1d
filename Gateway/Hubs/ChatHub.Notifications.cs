using Cryb.Notifications;

namespace Cryb.Gateway.Hubs;

/// <summary>The hub's notification methods (docs/notifications.md): each is the caller's own inbox, which the user's grain checks.</summary>
public sealed partial class ChatHub
{
    /// <summary>Newest first, before <paramref name="beforeSeq"/> (null: the newest), 1 to 100; only unread ones if asked.</summary>
    public Task<IReadOnlyList<Notification>> GetNotifications(long? beforeSeq, int limit, bool unreadOnly) =>
        Notifications(Caller.Id).Get(Caller, beforeSeq, limit, unreadOnly);

    /// <summary>What a reconnecting client missed after the seq it holds, oldest first, a page at a time.</summary>
    public Task<NotificationResume> ResumeNotifications(long afterSeq) => Notifications(Caller.Id).Resume(Caller, afterSeq);

    /// <summary>Moves the read cursor; every connection of the user hears <c>NotificationsAcked</c>.</summary>
    public Task<NotificationsAcked> AckNotifications(long upToSeq) => Notifications(Caller.Id).Ack(Caller, upToSeq);

    public Task<IReadOnlyList<NotificationSetting>> GetNotificationSettings() => Notifications(Caller.Id).GetSettings(Caller);

    /// <summary>Replaces one server's (<c>guild:id</c>) or channel's (<c>channel:id</c>) setting.</summary>
    public Task<NotificationSetting> UpdateNotificationSettings(string scope, NotificationLevel? level, DateTimeOffset? mutedUntil, bool suppressEveryone, bool suppressRoles) =>
        Notifications(Caller.Id).UpdateSettings(Caller, new NotificationSetting(scope, level, mutedUntil, suppressEveryone, suppressRoles));

    /// <summary>A browser's Web Push subscription: pushes reach it while the user is away.</summary>
    public Task RegisterPushSubscription(string endpoint, string p256dh, string auth) =>
        Notifications(Caller.Id).RegisterPushSubscription(Caller, new PushSubscription(endpoint, p256dh, auth));

    public Task UnregisterPushSubscription(string endpoint) => Notifications(Caller.Id).UnregisterPushSubscription(Caller, endpoint);

    /// <summary>The VAPID public key (base64url) a browser subscribes with (<c>applicationServerKey</c>); null while the cluster has no push keys.</summary>
    public Task<string?> GetPushPublicKey() => cluster.GetGrain<IPushKeyGrain>(0).GetPublicKey(Caller);

    private INotificationGrain Notifications(string userId) => cluster.GetGrain<INotificationGrain>(userId);
}
