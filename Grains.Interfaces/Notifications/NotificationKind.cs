namespace Cryb.Notifications;

/// <summary>What caused a notification. The numbers are stored (the <c>notifications</c> table); clients read the camelCase names.</summary>
[GenerateSerializer, Alias("cryb.NotificationKind")]
public enum NotificationKind
{
    /// <summary>The user was mentioned by name (<c>&lt;@id&gt;</c>).</summary>
    Mention = 1,

    /// <summary><c>@everyone</c> or <c>@here</c>, by someone with the Mention Everyone permission.</summary>
    Everyone = 2,

    /// <summary>A role the user holds was mentioned (<c>&lt;@&amp;roleId&gt;</c>): a mentionable role, or by someone with Mention Everyone.</summary>
    RoleMention = 3,

    /// <summary>A reply to the user's message.</summary>
    Reply = 4,

    /// <summary>A message in a direct message with the user.</summary>
    DirectMessage = 5,

    /// <summary>A reaction to the user's message (low priority; one unread per message at a time).</summary>
    Reaction = 6,

    FriendRequest = 7,

    /// <summary>The user's friend request was accepted.</summary>
    FriendAccepted = 8,

    /// <summary>An invitation to a channel or server.</summary>
    Invitation = 9,

    /// <summary>Any message, in a channel or server whose level the user set to <see cref="NotificationLevel.All"/>.</summary>
    Message = 10,
}
