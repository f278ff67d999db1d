using Cryb.Testing.WebPush;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// Two silos and two gateways as processes for the browser tests, with voice configured (the LiveKit
/// key pair of <see cref="VoiceProcessClusterFixture"/>, nothing listening at its URL): the page shows
/// the endpoint and token a media client would use, and carries no media itself. Web Push is on with
/// a fresh VAPID pair, so the page offers push and its subscription is registered (no push service
/// is behind the endpoints the browser test registers: nothing is pushed to them).
/// </summary>
public sealed class WebClientClusterFixture(TestServers servers) : IAsyncLifetime
{
    public ProcessCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var vapid = VapidPair.Generate();
        var settings = new Dictionary<string, string>(VoiceProcessClusterFixture.Settings)
        {
            ["Push__Subject"] = VapidPair.DevelopmentSubject,
            ["Push__PublicKey"] = vapid.PublicKey,
            ["Push__PrivateKey"] = vapid.PrivateKey,
        };
        Cluster = await ProcessCluster.StartAsync(servers, settings: settings);
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
