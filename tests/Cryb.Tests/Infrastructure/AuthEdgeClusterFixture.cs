namespace Cryb.Tests.Infrastructure;

/// <summary>
/// One silo and one gateway for the authentication edge's tests, with one browser origin allowed
/// (<see cref="AllowedOrigin"/>). Every test checks that other connections keep working, so sharing it is safe.
/// </summary>
public sealed class AuthEdgeClusterFixture(TestServers servers) : IAsyncLifetime
{
    public const string AllowedOrigin = "https://app.cryb.test";

    public ProcessCluster Cluster { get; private set; } = null!;

    public ClusterProcess Gateway => Cluster.Gateways[0];

    public async ValueTask InitializeAsync() => Cluster = await ProcessCluster.StartAsync(
        servers, silos: 1, gateways: 1, gatewaySettings: new Dictionary<string, string> { ["Cors__AllowedOrigins__0"] = AllowedOrigin });

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
