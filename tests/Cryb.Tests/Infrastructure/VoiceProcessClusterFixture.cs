using Cryb.Tests.Voice;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// A process cluster with voice configured (one silo, two gateways): the LiveKit key pair of
/// <see cref="VoiceClusterFixture"/>, its URL that of a <see cref="LiveKitStandIn"/> (a STAND-IN for
/// LiveKit's RoomService, not LiveKit) that records the moderation calls the silo makes.
/// </summary>
public sealed class VoiceProcessClusterFixture(TestServers servers) : IAsyncLifetime
{
    public ProcessCluster Cluster { get; private set; } = null!;

    /// <summary>What the cluster takes for LiveKit: the stand-in, at <see cref="LiveKitStandIn.Url"/>.</summary>
    public LiveKitStandIn StandIn { get; private set; } = null!;

    /// <summary>
    /// Voice on with the key pair of <see cref="VoiceClusterFixture"/> and nothing listening at its URL:
    /// for a cluster whose tests never reach LiveKit (the web client's).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Settings { get; } = SettingsFor(VoiceClusterFixture.Url);

    /// <summary>The cluster's voice settings for a LiveKit at <paramref name="url"/>: every process gets them.</summary>
    public static IReadOnlyDictionary<string, string> SettingsFor(string url) => new Dictionary<string, string>
    {
        ["Voice__LiveKit__Url"] = url,
        ["Voice__LiveKit__ApiKey"] = VoiceClusterFixture.ApiKey,
        ["Voice__LiveKit__ApiSecret"] = VoiceClusterFixture.ApiSecret,
    };

    public async ValueTask InitializeAsync()
    {
        StandIn = await LiveKitStandIn.StartAsync(VoiceClusterFixture.ApiKey, VoiceClusterFixture.ApiSecret);
        Cluster = await ProcessCluster.StartAsync(servers, silos: 1, gateways: 2, settings: SettingsFor(StandIn.Url));
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await StandIn.DisposeAsync();
    }
}

/// <summary>The voice tests over SignalR share one such cluster: each starts its own users and server in it.</summary>
[CollectionDefinition(Name)]
public sealed class VoiceProcessClusterCollection : ICollectionFixture<VoiceProcessClusterFixture>
{
    public const string Name = "voice process cluster";
}
