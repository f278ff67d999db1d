using Cryb.Relationships;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// For tests about something else that add users to channels: an invitation waits for the
/// invitee's answer, so these accept it for them, as a gateway acting for them would. Works for
/// users who never connected.
/// </summary>
public static class Invitations
{
    public static Task AcceptAsync(IGrainFactory grains, IAddressable channel, params string[] userIds) =>
        AcceptAsync(grains, channel.GetPrimaryKeyString(), userIds);

    public static async Task AcceptAsync(IGrainFactory grains, string channelId, params string[] userIds)
    {
        foreach (var userId in userIds)
        {
            await grains.GetGrain<IRelationshipGrain>(userId).AcceptInvitation(TestAccounts.User(userId), channelId);
        }
    }

    public static async Task AcceptAsync(ProcessCluster cluster, string channelId, params string[] userIds)
    {
        await using var service = await cluster.ConnectServiceAsync();
        await AcceptAsync(service.Cluster, channelId, userIds);
    }

    /// <summary>The old immediate invite over the protocol: the inviter's <c>InviteToChannel</c>, then the invitee's acceptance.</summary>
    public static async Task InviteAsync(ProcessCluster cluster, ChatTestClient inviter, string channelId, params string[] userIds)
    {
        foreach (var userId in userIds)
        {
            await inviter.InvokeAsync("InviteToChannel", channelId, userId);
        }

        await AcceptAsync(cluster, channelId, userIds);
    }
}
