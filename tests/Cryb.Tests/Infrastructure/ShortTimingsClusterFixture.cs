namespace Cryb.Tests.Infrastructure;

/// <summary>
/// A process cluster whose presence and typing timings are seconds instead of minutes (idle after
/// 5 s, offline grace 1 s, gateway lease 3 s, typing expiry 2 s), so time-dependent tests need no long sleeps.
/// </summary>
public sealed class ShortTimingsClusterFixture(TestServers servers) : IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["Presence__IdleAfter"] = "00:00:05",
        ["Presence__OfflineGrace"] = "00:00:01",
        ["Presence__GatewayLease"] = "00:00:03",
        ["Presence__Coalesce"] = "00:00:00.300",
        ["Presence__HeartbeatInterval"] = "00:00:01",
        ["Typing__Expiry"] = "00:00:02",
    };

    public ProcessCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await ProcessCluster.StartAsync(servers, settings: Settings);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
