namespace Cryb.Tests.Infrastructure;

/// <summary>
/// Two silos and two gateways as processes for the browser tests, with voice configured (the LiveKit
/// key pair of <see cref="VoiceProcessClusterFixture"/>, nothing listening at its URL): the page shows
/// the endpoint and token a media client would use, and carries no media itself.
/// </summary>
public sealed class WebClientClusterFixture(TestServers servers) : IAsyncLifetime
{
    public ProcessCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await ProcessCluster.StartAsync(servers, settings: VoiceProcessClusterFixture.Settings);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
