namespace Cryb.Tests.Infrastructure;

/// <summary>
/// A two-silo in-process cluster of its own whose silos create channels standalone, as those before
/// servers did (<see cref="ClusterFixture.PreUpgradeBuilder"/>): the channels an upgrade finds.
/// </summary>
public sealed class PreUpgradeClusterFixture(TestServers servers) : IAsyncLifetime
{
    public Orleans.TestingHost.InProcessTestCluster Cluster { get; private set; } = null!;
    public IClusterClient Client => Cluster.Client;
    public TestServers Servers => servers;

    public async ValueTask InitializeAsync()
    {
        Cluster = ClusterFixture.PreUpgradeBuilder(servers, silos: 2).Build();
        await Cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
