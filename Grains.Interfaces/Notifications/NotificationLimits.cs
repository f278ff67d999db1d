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

    /// <summary>
    /// Members an <c>@everyone</c>, <c>@here</c> or role mention notifies at most (the first by user
    /// id): each is a row written with the message, and a server far larger than this needs a
    /// notification read on demand, which this is not.
    /// </summary>
    public const int MaxMassMentionRecipients = 10_000;

    /// <summary>How long a channel keeps its list of members (for mass mentions) and of those whose level is "all" before reading them again: a setting or join takes effect within it.</summary>
    public static readonly TimeSpan RosterKeptFor = TimeSpan.FromSeconds(10);
}
