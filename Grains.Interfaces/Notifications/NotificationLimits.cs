namespace Cryb.Notifications;

public static class NotificationLimits
{
    /// <summary>Notifications per page of <c>GetNotifications</c> and <c>ResumeNotifications</c>.</summary>
    public const int MaxPage = 100;

    /// <summary>Each user keeps at least their newest this many, whatever their age.</summary>
    public const int KeptPerUser = 1000;

    /// <summary>And every notification at least this long.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(30);

    /// <summary>Web Push subscriptions per user (browsers and devices); the oldest goes past it.</summary>
    public const int MaxPushSubscriptions = 10;

    /// <summary>Settings rows per user (servers and channels).</summary>
    public const int MaxSettings = 500;

    /// <summary>Unread count cap clients show as "999+".</summary>
    public const int UnreadCountCap = 999;
}
