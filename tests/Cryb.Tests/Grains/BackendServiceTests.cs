using Cryb.Channels;
using Cryb.Errors;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Grains;

/// <summary>A backend service acting through the Orleans client under a service identity, as docs/protocol.md "Backend services" shows.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BackendServiceTests(ClusterFixture fixture)
{
    private static readonly Caller Bot = Caller.Service(TestAccounts.WelcomeBot);

    [Fact]
    public async Task A_service_creates_a_channel_invites_a_user_and_posts_as_itself()
    {
        var channel = fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());
        var alice = TestAccounts.User("alice");

        var created = await channel.Create(Bot, "announcements", isPrivate: true);
        await channel.Invite(Bot, alice.Id);
        await Invitations.AcceptAsync(fixture.Client, channel, alice.Id);
        var posted = await channel.SendMessage(Bot, new SendMessageRequest("Welcome, <@alice>!"));

        Assert.Equal("service:welcome-bot", created.OwnerId);
        Assert.Equal("service:welcome-bot", posted.AuthorId);
        Assert.Equal(["alice"], posted.Mentions);
        Assert.Equal(posted, Assert.Single(await channel.GetHistory(alice, null, 10)));
    }

    [Fact]
    public async Task A_service_is_held_to_the_roles_it_has_like_a_user()
    {
        var channel = fixture.Client.GetGrain<IChannelGrain>(Ids.NewChannelId());
        await channel.Create(TestAccounts.User("owner"), "private room", isPrivate: true);

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.SendMessage(Bot, new SendMessageRequest("hi")));
        await Refusals.AssertGrainRefusesAsync(ErrorCodes.ChannelNotFound, () => channel.GetHistory(Bot, null, 10));
    }

    [Fact]
    public async Task A_service_name_cannot_pass_for_a_user()
    {
        Assert.Throws<ChatException>(() => Caller.Service(new ServiceCredential("bad name", TestAccounts.WelcomeBot.Secret)));
        var user = fixture.Client.GetGrain<Users.IUserGrain>("welcome-bot");

        await Refusals.AssertGrainRefusesAsync(ErrorCodes.Forbidden, () => user.Connect(Bot, "impostor"));
    }
}
