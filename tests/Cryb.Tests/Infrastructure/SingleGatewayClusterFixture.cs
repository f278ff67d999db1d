namespace Cryb.Tests.Infrastructure;

/// <summary>One silo and one gateway as processes, shared by the tests of one class: enough where every client must share a gateway.</summary>
public sealed class SingleGatewayClusterFixture(TestServers servers) : IAsyncLifetime
{
    public ProcessCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await ProcessCluster.StartAsync(servers, silos: 1, gateways: 1);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
