namespace Cryb.Notifications;

/// <summary>How urgent a notification is: what a client's sound or badge, and a push's <c>Urgency</c>, follow.</summary>
[GenerateSerializer, Alias("cryb.NotificationPriority")]
public enum NotificationPriority
{
    Low = 0,
    Normal = 1,
    High = 2,
}
