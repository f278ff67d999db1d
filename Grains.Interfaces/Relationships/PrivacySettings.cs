namespace Cryb.Relationships;

/// <summary>Who may reach a user; a user who never chose has <see cref="Default"/>.</summary>
[GenerateSerializer, Immutable, Alias("cryb.PrivacySettings")]
public sealed record PrivacySettings(
    [property: Id(0)] DirectMessagesFrom DirectMessages,
    [property: Id(1)] FriendRequestsFrom FriendRequests)
{
    /// <summary>Direct messages from people one shares a server with or is friends with (Discord's default); friend requests from anyone.</summary>
    public static PrivacySettings Default { get; } = new(DirectMessagesFrom.ServerMembersAndFriends, FriendRequestsFrom.Everyone);
}

/// <summary>Who may open a direct message with a user. Stored as its number.</summary>
[GenerateSerializer, Alias("cryb.DirectMessagesFrom")]
public enum DirectMessagesFrom
{
    Everyone = 0,
    ServerMembersAndFriends = 1,
    Friends = 2,
}

/// <summary>Who may send a user a friend request. Stored as its number.</summary>
[GenerateSerializer, Alias("cryb.FriendRequestsFrom")]
public enum FriendRequestsFrom
{
    Everyone = 0,
    ServerMembers = 1,
    Nobody = 2,
}
