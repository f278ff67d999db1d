using Cryb.Notifications;

namespace Cryb.Grains.Notifications;

/// <summary>A notification as written, with its recipient.</summary>
public sealed record WrittenNotification(string UserId, Notification Notification)
{
    public Notified AsNotified() => new(UserId, Notification.Seq, Guid.Parse(Notification.Id), Notification.Kind);
}
