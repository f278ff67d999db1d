namespace Cryb.Notifications;

/// <summary>
/// Where a user's notifications stand, in <c>Ready</c>: the newest seq (a client holding less asks
/// <c>ResumeNotifications</c>), the read cursor, the unread count, and each channel's count of
/// unread mentions (notifications after the channel's read position that count as mentions).
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.NotificationSummary")]
public sealed record NotificationSummary(
    [property: Id(0)] long LastSeq,
    [property: Id(1)] long AckedSeq,
    [property: Id(2)] int UnreadCount,
    [property: Id(3)] IReadOnlyDictionary<string, int> MentionCounts)
{
    public static NotificationSummary Empty { get; } = new(0, 0, 0, new Dictionary<string, int>());
}

/// <summary>What <c>ResumeNotifications</c> answers: the notifications after the client's seq, oldest first, at most a page.</summary>
[GenerateSerializer, Immutable, Alias("cryb.NotificationResume")]
public sealed record NotificationResume(
    [property: Id(0)] IReadOnlyList<Notification> Notifications,
    [property: Id(1)] bool Truncated,
    [property: Id(2)] long LastSeq,
    [property: Id(3)] long AckedSeq);
