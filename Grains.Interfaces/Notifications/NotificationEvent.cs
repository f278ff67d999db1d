using Cryb.Users;

namespace Cryb.Notifications;

/// <summary>
/// A notification that did not come with a channel's message (a reaction, a friend request, an
/// invitation), on the user's stream; a message's notifications ride on its <c>MessageCreated</c>
/// (<see cref="Channels.MessageCreated.Notified"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.NotificationCreated")]
public sealed record NotificationCreated(string UserId, [property: Id(0)] Notification Notification) : UserEvent(UserId);

/// <summary>The user's read cursor moved on some device: every device hears the new cursor and unread count.</summary>
[GenerateSerializer, Immutable, Alias("cryb.NotificationsAcked")]
public sealed record NotificationsAcked(
    string UserId,
    [property: Id(0)] long AckedSeq,
    [property: Id(1)] int UnreadCount) : UserEvent(UserId);

/// <summary>
/// A recipient of a message's notification, as the channel's event carries it to gateways (which
/// build the <see cref="Notification"/> from the message): internal to the cluster.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.Notified")]
public sealed record Notified(
    [property: Id(0)] string UserId,
    [property: Id(1)] long Seq,
    [property: Id(2)] Guid Id,
    [property: Id(3)] NotificationKind Kind);
