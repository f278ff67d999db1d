namespace Cryb.Notifications;

/// <summary>
/// One notification of a user (the protocol's <c>Notification</c> payload), at its place
/// <see cref="Seq"/> in the user's gapless sequence.
/// </summary>
/// <param name="Id">Unique across users: what a push is deduplicated by.</param>
/// <param name="ActorId">Who caused it: the author, reactor, requester or inviter.</param>
/// <param name="MessageSeq">The message's seq in its channel: a notification is unread while the channel's read position is below it.</param>
/// <param name="Excerpt">The start of the message (a reaction: the emoji; an invitation: the channel's name).</param>
[GenerateSerializer, Immutable, Alias("cryb.Notification")]
public sealed record Notification(
    [property: Id(0)] long Seq,
    [property: Id(1)] string Id,
    [property: Id(2)] NotificationKind Kind,
    [property: Id(3)] string ActorId,
    [property: Id(4)] string? GuildId,
    [property: Id(5)] string? ChannelId,
    [property: Id(6)] string? MessageId,
    [property: Id(7)] long? MessageSeq,
    [property: Id(8)] string? Excerpt,
    [property: Id(9)] DateTimeOffset CreatedAt)
{
    public NotificationPriority Priority => PriorityOf(Kind);

    /// <summary>High for direct messages and mentions, low for reactions and level-all messages, normal for the rest.</summary>
    public static NotificationPriority PriorityOf(NotificationKind kind) => kind switch
    {
        NotificationKind.DirectMessage or NotificationKind.Mention or NotificationKind.Everyone or NotificationKind.RoleMention => NotificationPriority.High,
        NotificationKind.Reaction or NotificationKind.Message => NotificationPriority.Low,
        _ => NotificationPriority.Normal,
    };

    /// <summary>
    /// Whether a message's notification of this kind reaches many users at once (<c>@everyone</c>, a
    /// role, level "all"): those ride on the message's own event to the gateways, which already
    /// serve every member who can view the channel; the few personal ones (a mention, a reply, a
    /// direct message) go to the user's own stream, which every gateway holding one of their
    /// connections hears from the moment they connect, even before it serves the channel (a direct
    /// message's first message).
    /// </summary>
    public static bool ReachesMany(NotificationKind kind) =>
        kind is NotificationKind.Everyone or NotificationKind.RoleMention or NotificationKind.Message;

    /// <summary>Whether it counts in a channel's <c>mentionCount</c>: what Discord's red badge counts.</summary>
    public static bool CountsAsMention(NotificationKind kind) =>
        kind is NotificationKind.Mention or NotificationKind.Everyone or NotificationKind.RoleMention or NotificationKind.Reply or NotificationKind.DirectMessage;
}
