namespace Cryb.Tests.Infrastructure;

/// <summary>
/// One silo and two gateways with the rate and connection limits as shipped (test clusters
/// otherwise raise them out of the way), and a channel bound lowered to 3 so reaching it is cheap.
/// </summary>
public sealed class ShippedLimitsClusterFixture(TestServers servers) : IAsyncLifetime
{
    public const int MaxChannelsPerUser = 3;

    public ProcessCluster Cluster { get; private set; } = null!;
    public TestServers Servers => servers;

    public async ValueTask InitializeAsync() => Cluster = await ProcessCluster.StartAsync(servers, silos: 1, gateways: 2,
        new Dictionary<string, string> { ["Limits__MaxChannelsPerUser"] = MaxChannelsPerUser.ToString() }, shippedLimits: true);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
