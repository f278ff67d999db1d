namespace Cryb.Tests.Infrastructure;

/// <summary>Two silos and two gateways as processes, shared by the tests of one class.</summary>
public sealed class ProcessClusterFixture(TestServers servers) : IAsyncLifetime
{
    public ProcessCluster Cluster { get; private set; } = null!;
    public TestServers Servers => servers;

    public async ValueTask InitializeAsync() => Cluster = await ProcessCluster.StartAsync(servers);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
