namespace Cryb.Tests.Infrastructure;

/// <summary>
/// One silo and one gateway on a PostgreSQL and Redis of their own, for tests that stop, freeze or
/// restart the servers: doing that to the run's shared servers would break other tests' clusters.
/// </summary>
public sealed class PrivateServersClusterFixture : IAsyncLifetime
{
    public TestServers Servers { get; } = new();
    public ProcessCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Servers.InitializeAsync();
        Cluster = await ProcessCluster.StartAsync(Servers, silos: 1, gateways: 1);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Servers.DisposeAsync();
    }
}
