using Cryb.Grains.Notifications;
using Cryb.Notifications;
using Cryb.Relationships;

namespace Cryb.Grains.Relationships;

/// <summary>What a pair's change notifies: the other user, of a request that came to them or of their request accepted.</summary>
public static class RelationshipNotifications
{
    /// <param name="before">The pair from the acting user's side before the change.</param>
    /// <param name="after">And after it.</param>
    public static IReadOnlyList<NotificationDraft> Of(PairSides before, PairSides after, DateTimeOffset now)
    {
        if (after.Theirs == RelationshipKind.Incoming && before.Theirs != RelationshipKind.Incoming)
        {
            return [NotificationDraft.Unscoped(after.OtherId, NotificationKind.FriendRequest, after.UserId, null, null, now)];
        }

        // The acting user accepted (or crossed) the other's request.
        if (after.Mine == RelationshipKind.Friend && before.Mine == RelationshipKind.Incoming)
        {
            return [NotificationDraft.Unscoped(after.OtherId, NotificationKind.FriendAccepted, after.UserId, null, null, now)];
        }

        return [];
    }
}
