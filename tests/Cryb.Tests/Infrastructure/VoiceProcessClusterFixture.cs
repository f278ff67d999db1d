namespace Cryb.Tests.Infrastructure;

/// <summary>
/// A process cluster with voice configured (one silo, two gateways): the LiveKit key pair of
/// <see cref="VoiceClusterFixture"/>, with nothing listening at its URL, which no test here needs.
/// </summary>
public sealed class VoiceProcessClusterFixture(TestServers servers) : IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["Voice__LiveKit__Url"] = VoiceClusterFixture.Url,
        ["Voice__LiveKit__ApiKey"] = VoiceClusterFixture.ApiKey,
        ["Voice__LiveKit__ApiSecret"] = VoiceClusterFixture.ApiSecret,
    };

    public ProcessCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await ProcessCluster.StartAsync(servers, silos: 1, gateways: 2, settings: Settings);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
