using Cryb.Channels;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Tests.Infrastructure;
using Cryb.Users;

namespace Cryb.Tests.Grains;

/// <summary>
/// A cluster of its own (its own service id, so its sweep sees only this test's channels): the
/// operator's sweep moves stored standalone channels that nobody uses any more.
/// </summary>
public sealed class SweepClusterFixture(TestServers servers) : IAsyncLifetime
{
    public Orleans.TestingHost.InProcessTestCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var builder = ClusterFixture.PreUpgradeBuilder(servers, silos: 1);
        builder.Options.ServiceId = $"sweep-{Guid.NewGuid():N}";
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

public sealed class ChannelSweepTests(SweepClusterFixture fixture, TestServers servers) : IClassFixture<SweepClusterFixture>
{
    private readonly GuildTestKit _kit = new(fixture.Cluster.Client, servers.DataSource);

    private IClusterClient Client => fixture.Cluster.Client;

    private IChannelSweepGrain Sweep => Client.GetGrain<IChannelSweepGrain>(0);

    [Fact]
    public async Task The_sweep_moves_channels_nobody_used_since_the_upgrade_and_a_second_pass_moves_none()
    {
        var (owner, member) = (_kit.User("owner"), _kit.User("member"));
        var open = Client.GetGrain<IChannelGrain>(Ids.NewChannelId());
        await open.Create(owner, "open", isPrivate: false);
        await open.Join(member, null);
        await open.SendMessage(member, new SendMessageRequest("before the upgrade"));
        var closed = Client.GetGrain<IChannelGrain>($"closed-{Guid.NewGuid():N}"); // a key stored as text, not as a GUID's halves
        await closed.Create(owner, "closed", isPrivate: true);
        await closed.Invite(owner, member.Id);
        await Invitations.AcceptAsync(Client, closed, member.Id);
        var direct = Client.GetGrain<IChannelGrain>(DirectMessages.ChannelId(owner.Id, member.Id));
        await DirectMessagePrivacy.OpenToEveryoneAsync(Client, member.Id);
        await direct.OpenDirect(owner, member.Id);
        foreach (var channel in new[] { open, closed, direct })
        {
            await fixture.Cluster.DeactivateAsync(channel);
        }

        var first = await RunPassAsync();

        Assert.Equal((2, 2, 0), (first.Visited, first.Migrated, first.Failed));
        Assert.Equal(2, await _kit.CountRowsAsync("guild_members", open.GetPrimaryKeyString()));
        Assert.Equal(2, await _kit.CountRowsAsync("guild_members", closed.GetPrimaryKeyString()));
        Assert.Equal(0, await _kit.CountRowsAsync("guild_members", direct.GetPrimaryKeyString()));
        var session = await Client.GetGrain<IUserGrain>(member.Id).Connect(member, member.Id);
        Assert.Equal([direct.GetPrimaryKeyString()], session.ChannelIds);
        Assert.Equal(
            new[] { open.GetPrimaryKeyString(), closed.GetPrimaryKeyString() }.Order(StringComparer.Ordinal),
            session.Guilds!.Select(g => g.GuildId).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await open.SendMessage(member, new SendMessageRequest("after the upgrade"))).Seq);

        var second = await RunPassAsync();

        Assert.Equal((2, 0, 0), (second.Visited, second.Migrated, second.Failed));
    }

    private async Task<ChannelSweepProgress> RunPassAsync()
    {
        var started = await Sweep.Start(TestAccounts.Gateway);
        Assert.True(started.Running);
        // The sweep runs on its own timer and tells nobody when it ends: its progress is what there is to wait on.
        await Eventually.WaitUntilAsync(async () => !(await Sweep.GetProgress(TestAccounts.Gateway)).Running, "the sweep's pass to finish");
        return await Sweep.GetProgress(TestAccounts.Gateway);
    }
}
