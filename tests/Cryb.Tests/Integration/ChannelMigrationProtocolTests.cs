using System.Net;
using Cryb.Channels;
using Cryb.Guilds;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;
using Cryb.Users;

namespace Cryb.Tests.Integration;

/// <summary>
/// A standalone channel moving into a server of its own while its members are connected, over the
/// real SignalR protocol: the operator's sweep (a silo's <c>/admin/channel-migration</c>) moves it,
/// the owner on gateway 0 and a member on gateway 1 hear of the server, and the conversation goes
/// on without a gap or a duplicate. A cluster of its own: the sweep moves every channel of it.
/// </summary>
public sealed class ChannelMigrationProtocolTests(PreUpgradeChannelsFixture fixture) : IClassFixture<PreUpgradeChannelsFixture>
{
    private static readonly HttpClient Http = new();

    private ProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Connected_members_receive_the_new_server_and_the_next_messages_once_each_in_seq_order()
    {
        await using var alice = await Cluster.ConnectAsync(0, TestUsers.New("alice"));
        await using var bob = await Cluster.ConnectAsync(1, TestUsers.New("bob"));
        var channel = await alice.CreateChannelAsync("old days");
        await bob.JoinChannelAsync(channel.Id);
        var before = await alice.SendMessageAsync(channel.Id, "before");
        Assert.Equal(before, await bob.NextMessageCreatedAsync());
        Assert.Equal(before, await alice.NextMessageCreatedAsync());

        await RunSweepAsync();

        // Each hears of the server as on any join; the channel is its one text channel, same id.
        foreach (var member in new[] { alice, bob })
        {
            var server = await member.NextAsync<GuildState>("GuildCreated");
            Assert.Equal((channel.Id, channel.Id), (server.Guild.Id, Assert.Single(server.Channels).Id));
            Assert.Equal(member.UserId, server.Member.UserId);
        }

        Assert.Equal(channel.Id, (await bob.NextAsync<ChannelInfo>("ChannelUpdated")).GuildId);
        Assert.True(bob.HasNo("ChannelRemoved"));

        var after = await alice.SendMessageAsync(channel.Id, "after");
        var last = await bob.SendMessageAsync(channel.Id, "and again");
        Assert.Equal((2L, 3L), (after.Seq, last.Seq));
        foreach (var member in new[] { alice, bob })
        {
            Assert.Equal(after, await member.NextMessageCreatedAsync());
            Assert.Equal(last, await member.NextMessageCreatedAsync());
            Assert.True(member.HasNoPendingMessages);
        }

        // A new device's Ready lists the channel under its server, at its seq.
        await using var bobsPhone = await Cluster.ConnectAsync(0, bob.UserId);
        var ready = await bobsPhone.NextAsync<ReadyEvent>("Ready");
        Assert.Equal(channel.Id, Assert.Single(ready.Guilds!).Guild.Id);
        Assert.Equal(3, Assert.Single(ready.Channels, summary => summary.Channel.Id == channel.Id).LatestSeq);

        // Leaving the channel leaves its server, as leaving the channel did before.
        await bob.InvokeAsync("LeaveChannel", channel.Id);
        Assert.Equal(channel.Id, (await bob.NextAsync<GuildRemoved>("GuildRemoved")).GuildId);
    }

    /// <summary>The sweep refuses anyone but a granted service account, then runs a pass.</summary>
    private async Task RunSweepAsync()
    {
        using (var anonymous = await Http.PostAsync(fixture.SweepUrl, null, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        await fixture.RunSweepAsync();
    }
}
