using Cryb.Channels;
using Cryb.Gateway.Fanout;
using Cryb.Gateway.Hosting;
using Cryb.Identity;
using Cryb.Presence;
using Cryb.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cryb.Tests.Gateway;

/// <summary>
/// A gateway's fan-out, wired as the gateway wires it, on the test cluster's real push streams: its
/// subscription to a channel's stream follows the connection record, so it is held while a local
/// connection is in the channel or a join holds it, and released when the last one leaves, also when
/// a join and a disconnect race.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ChannelSubscriptionTests(ClusterFixture fixture) : IAsyncLifetime
{
    private WebApplication _gateway = null!;

    private ChatFanout Fanout => _gateway.Services.GetRequiredService<ChatFanout>();

    private ConnectionRegistry Registry => _gateway.Services.GetRequiredService<ConnectionRegistry>();

    public ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.Services.AddSingleton(fixture.Client);
        builder.Services.AddSingleton(TestAccounts.Gateway);
        // What the Orleans client and authentication registrations would add, without their servers.
        builder.Services.AddSingleton<ClusterConnectionChanges>();
        builder.Services.AddSingleton<Cryb.Gateway.Auth.AccountStandingCache>();
        builder.AddCrybGatewayMetrics();
        builder.AddCrybChatHub();
        builder.AddCrybHubLimits();
        builder.AddCrybFanout();
        _gateway = builder.Build();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _gateway.DisposeAsync();

    [Fact]
    public async Task A_channel_is_subscribed_once_for_its_local_connections_and_released_when_the_last_one_leaves()
    {
        var channelId = await NewChannelAsync();

        await Fanout.ConnectAsync("c1", "alice", DeviceKind.Desktop, [channelId], () => { });
        await Fanout.ConnectAsync("c2", "bob", DeviceKind.Desktop, [channelId], () => { });
        Assert.Equal(1, await SubscriptionsToAsync(channelId));

        await Fanout.DisconnectAsync("c1");
        Assert.Equal(1, await SubscriptionsToAsync(channelId));
        Assert.Equal(["c2"], Registry.ConnectionsIn(channelId));

        await Fanout.DisconnectAsync("c2");
        Assert.Equal(0, await SubscriptionsToAsync(channelId));
        Assert.Empty(Registry.ConnectionsIn(channelId));
    }

    [Fact]
    public async Task A_join_racing_the_disconnect_of_its_connection_leaves_neither_membership_nor_subscription()
    {
        for (var round = 0; round < 20; round++)
        {
            var channelId = await NewChannelAsync();
            var connectionId = "racer-" + round;
            await Fanout.ConnectAsync(connectionId, "alice", DeviceKind.Desktop, [], () => { });

            await Task.WhenAll(
                Task.Run(() => Fanout.AddToChannelAsync(connectionId, channelId), TestContext.Current.CancellationToken),
                Task.Run(() => Fanout.DisconnectAsync(connectionId), TestContext.Current.CancellationToken));

            Assert.Empty(Registry.ConnectionsIn(channelId));
            Assert.Equal(0, await SubscriptionsToAsync(channelId));
        }
    }

    [Fact]
    public async Task A_join_holding_the_channel_while_its_last_member_leaves_keeps_it_subscribed_until_the_hold_ends()
    {
        for (var round = 0; round < 20; round++)
        {
            var channelId = await NewChannelAsync();
            var memberId = "member-" + round;
            await Fanout.ConnectAsync(memberId, "alice", DeviceKind.Desktop, [channelId], () => { });

            var hold = Task.Run(() => Fanout.HoldChannelAsync(channelId), TestContext.Current.CancellationToken);
            await Task.WhenAll(hold, Task.Run(() => Fanout.DisconnectAsync(memberId), TestContext.Current.CancellationToken));

            Assert.Equal(1, await SubscriptionsToAsync(channelId));
            await (await hold).DisposeAsync();
            Assert.Equal(0, await SubscriptionsToAsync(channelId));
        }
    }

    private async Task<string> NewChannelAsync()
    {
        var channelId = Ids.NewChannelId();
        await fixture.Client.GetGrain<IChannelGrain>(channelId).Create(TestAccounts.User("alice"), "subscribed", isPrivate: false);
        return channelId;
    }

    /// <summary>This gateway's subscriptions to the channel's stream that its owner, the channel grain, holds.</summary>
    private async Task<int> SubscriptionsToAsync(string channelId) =>
        (await fixture.Client.GetStreamProvider(StreamNames.Provider)
            .GetStream<ChannelEvent>(StreamId.Create(StreamNames.Channel, channelId))
            .GetAllSubscriptionHandles()).Count;
}
