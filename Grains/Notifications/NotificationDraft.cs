using Cryb.Notifications;

namespace Cryb.Grains.Notifications;

/// <summary>
/// A notification to write, if the recipient's settings and blocks let it through
/// (<see cref="NotificationStatement"/>); its seq is taken when it is written.
/// </summary>
/// <param name="Scoped">
/// Whether the server and channel settings apply (everything caused in a channel); friend requests
/// and invitations belong to no scope.
/// </param>
/// <param name="MessageSeq">Filled in by the message's append, which gives the seq; null for drafts of no message.</param>
public sealed record NotificationDraft(
    string UserId,
    Guid Id,
    NotificationKind Kind,
    string ActorId,
    string? GuildId,
    string? ChannelId,
    Guid? MessageId,
    long? MessageSeq,
    string? Excerpt,
    DateTimeOffset CreatedAt,
    bool Scoped)
{
    /// <summary>The notification as written at <paramref name="seq"/>.</summary>
    public Notification At(long seq) =>
        new(seq, Id.ToString(), Kind, ActorId, GuildId, ChannelId, MessageId?.ToString(), MessageSeq, Excerpt, CreatedAt);

    /// <summary>A notification of something that is not a channel's (a friend request, an invitation): no setting applies.</summary>
    public static NotificationDraft Unscoped(string userId, NotificationKind kind, string actorId, string? channelId, string? excerpt, DateTimeOffset createdAt) =>
        new(userId, Guid.CreateVersion7(), kind, actorId, null, channelId, null, null, excerpt, createdAt, Scoped: false);
}
