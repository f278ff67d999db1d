using Cryb.Relationships;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// For tests about something else that open direct messages with strangers: the default privacy
/// takes them only from server members and friends. Sets each user's settings as a gateway acting
/// for them would, so it works for users who never connected.
/// </summary>
public static class DirectMessagePrivacy
{
    private static readonly PrivacySettings Everyone = new(DirectMessagesFrom.Everyone, FriendRequestsFrom.Everyone);

    public static Task OpenToEveryoneAsync(IGrainFactory grains, params string[] userIds) =>
        Task.WhenAll(userIds.Select(userId => grains.GetGrain<IRelationshipGrain>(userId).SetPrivacy(TestAccounts.User(userId), Everyone)));

    public static async Task OpenToEveryoneAsync(ProcessCluster cluster, params string[] userIds)
    {
        await using var service = await cluster.ConnectServiceAsync();
        await OpenToEveryoneAsync(service.Cluster, userIds);
    }
}
