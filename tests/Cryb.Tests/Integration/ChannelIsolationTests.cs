using Cryb.Channels;
using Cryb.Errors;
using Cryb.Messages;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>
/// A user who is not a member of a private channel, knowing its id and a message id, tries every
/// hub method on it. Each is refused with its code, nothing changes, an authorized observer on the
/// other gateway hears nothing of the attempts, and the outsider hears nothing of the channel.
/// </summary>
public sealed class ChannelIsolationTests(ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task An_outsider_who_guesses_the_ids_gets_nothing_and_changes_nothing()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        await using var owner = await Cluster.ConnectAsync(0, "owner-" + suffix);
        await using var observer = await Cluster.ConnectAsync(1, "observer-" + suffix);
        await using var outsider = await Cluster.ConnectAsync(0, "outsider-" + suffix);
        var channel = await owner.CreateChannelAsync("private", isPrivate: true);
        await owner.InvokeAsync("InviteToChannel", channel.Id, observer.UserId);
        Assert.Equal(channel.Id, (await observer.NextAsync<Cryb.Relationships.Invitation>("InvitationReceived")).ChannelId);
        await observer.InvokeAsync("AcceptInvitation", channel.Id);
        await observer.NextAsync<Cryb.Guilds.GuildState>("GuildCreated"); // a member of the channel's server
        var secret = await owner.SendMessageAsync(channel.Id, "the secret");
        await observer.NextMessageCreatedAsync();
        var notFound = ErrorCodes.ChannelNotFound; // a private channel looks absent to outsiders

        await Refusals.AssertHubRefusesAsync(notFound, () => outsider.GetHistoryAsync(channel.Id));
        await Refusals.AssertHubRefusesAsync(notFound, () => outsider.JoinChannelAsync(channel.Id, sinceSeq: 0));
        await Refusals.AssertHubRefusesAsync(notFound, () => outsider.SendMessageAsync(channel.Id, "let me in"));
        await Refusals.AssertHubRefusesAsync(notFound, () => outsider.InvokeAsync<ChatMessage>("EditMessage", channel.Id, secret.Id, "defaced"));
        await Refusals.AssertHubRefusesAsync(notFound, () => outsider.InvokeAsync("DeleteMessage", channel.Id, secret.Id));
        await Refusals.AssertHubRefusesAsync(notFound, () => outsider.InvokeAsync<ReactionSummary[]>("AddReaction", channel.Id, secret.Id, "👀"));
        await Refusals.AssertHubRefusesAsync(notFound, () => outsider.InvokeAsync<MemberWithPresenceEvent[]>("GetMembers", channel.Id));
        await Refusals.AssertHubRefusesAsync(notFound, () => outsider.InvokeAsync("InviteToChannel", channel.Id, outsider.UserId));
        await Refusals.AssertHubRefusesAsync(notFound, () => outsider.InvokeAsync("KickMember", channel.Id, observer.UserId));
        await Refusals.AssertHubRefusesAsync(notFound, () => outsider.InvokeAsync<ChannelInfo>("UpdateChannel", channel.Id, "mine", null));
        await Refusals.AssertHubRefusesAsync(notFound, () => outsider.InvokeAsync("DeleteChannel", channel.Id));
        await Refusals.AssertHubRefusesAsync(ErrorCodes.NotAMember, () => outsider.InvokeAsync("StartTyping", channel.Id));
        await Refusals.AssertHubRefusesAsync(notFound, () => outsider.InvokeAsync<long>("MarkRead", channel.Id, 1L));
        // Presence is seen only through a shared channel: to the outsider both are offline.
        Assert.All(await outsider.InvokeAsync<PresenceInfo[]>("GetPresence", (object)new[] { owner.UserId, observer.UserId }),
            presence => Assert.Equal(PresenceStatus.Offline, presence.Status));

        // The channel goes on; the observer sees exactly the owner's next message and nothing the
        // outsider tried; the outsider, connected on the owner's gateway all along, sees none of it.
        var next = await owner.SendMessageAsync(channel.Id, "still private");
        Assert.Equal(next, await observer.NextMessageCreatedAsync());
        Assert.True(outsider.HasNo("GuildCreated") && outsider.HasNo("GuildMemberAdded"), "the outsider heard of the channel's server");
        foreach (var name in new[] { "MessageCreated", "MessageEdited", "MessageDeleted", "ReactionsUpdated", "TypingUpdated", "MemberJoined", "MemberLeft", "ChannelUpdated", "ChannelDeleted" })
        {
            Assert.True(observer.HasNo(name), $"the observer heard {name}");
            Assert.True(outsider.HasNo(name), $"the outsider heard {name}");
        }

        Assert.True(outsider.HasNo("PresenceUpdated"), "the outsider heard presence of channel members");
        Assert.Equal([secret.Id, next.Id], (await observer.GetHistoryAsync(channel.Id)).OrderBy(m => m.Seq).Select(m => m.Id));
        Assert.Equal(2, await fixture.Servers.CountMessagesAsync(channel.Id));
        Assert.Equal(2, (await owner.InvokeAsync<MemberWithPresenceEvent[]>("GetMembers", channel.Id)).Length);
    }
}
