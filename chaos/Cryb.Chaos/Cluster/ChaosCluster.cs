using Cryb.Testing;
using Cryb.Testing.WebPush;
using Npgsql;

namespace Cryb.Chaos.Cluster;

/// <summary>
/// The cluster the faults are injected into: a <see cref="LocalCluster"/> with the
/// <see cref="ClusterProfile.Chaos"/> profile (a private PostgreSQL, Redis with its append-only file
/// as `./cryb up` runs it), its silos and gateways on loopback ports fixed at the start, so a
/// process restarted after a fault comes back where it was.
/// </summary>
public sealed class ChaosCluster : IAsyncDisposable
{
    public const string SigningKey = "chaos-signing-key-that-is-at-least-32-bytes-long";
    private const string GatewaySecret = "chaos-gateway-secret-that-is-at-least-32-chars";

    private static readonly HttpClient MetricsHttp = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly LocalCluster _cluster;

    private ChaosCluster(LocalCluster cluster)
    {
        _cluster = cluster;
        DataSource = NpgsqlDataSource.Create(Postgres.ConnectionString());
    }

    public PostgresServer Postgres => _cluster.Postgres!;
    public RedisServer Redis => _cluster.Redis!;
    public IReadOnlyList<ClusterProcess> Silos => _cluster.Silos;
    public IReadOnlyList<ClusterProcess> Gateways => _cluster.Gateways;

    /// <summary>Where every process writes its log.</summary>
    public string Logs => _cluster.Logs;

    /// <summary>The checker's own connections to PostgreSQL: the truth every figure is checked against.</summary>
    public NpgsqlDataSource DataSource { get; }

    public IReadOnlyList<string> GatewayUrls => [.. Gateways.Select(gateway => gateway.Url)];

    /// <summary>The silos' VAPID pair: the push scenario's receiver accepts pushes signed with it only.</summary>
    public static VapidPair Vapid { get; } = VapidPair.Generate();

    public static async Task<ChaosCluster> StartAsync(int silos, int gateways, Action<string> log) =>
        new(await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Profile = ClusterProfile.Chaos,
            Silos = silos,
            Gateways = gateways,
            ClusterId = "chaos-" + Guid.NewGuid().ToString("N")[..8],
            SigningKey = SigningKey,
            GatewaySecret = GatewaySecret,
            // Web Push on, for kill-silo-mid-push: users are pushed at once (they never connect), and
            // a silo takes small batches, so that each silo holds one when the scenario kills one.
            SiloSettings = new Dictionary<string, string>(Vapid.SiloSettings())
            {
                ["Push__AwayAfter"] = "00:00:00",
                ["Push__PollInterval"] = "00:00:00.200",
                ["Push__BatchSize"] = Faults.PushCheck.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Push__RetryBase"] = "00:00:00.200",
            },
        }, log));

    public Task WaitAllReadyAsync() => _cluster.WaitAllReadyAsync();

    /// <summary>Starts a stopped process again on its ports and waits until it is ready.</summary>
    public static async Task RestartAsync(ClusterProcess process)
    {
        process.Start();
        await process.WaitReadyAsync(LocalCluster.ReadyTimeout);
    }

    /// <summary>Starts whatever is not running (after a fault that left a process dead) and waits for all.</summary>
    public Task HealAsync() => _cluster.HealAsync();

    /// <summary>
    /// <paramref name="metric"/> summed over each running silo's <c>/metrics</c>, by silo name; a
    /// silo that does not answer is left out.
    /// </summary>
    public async Task<Dictionary<string, double>> SumBySiloAsync(string metric)
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var silo in Silos.Where(silo => silo.IsRunning))
        {
            try
            {
                sums[silo.Name] = PrometheusText.Sum(await PrometheusText.ScrapeAsync(MetricsHttp, silo.Url), metric);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not answering: it holds nothing to count.
            }
        }

        return sums;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await _cluster.DisposeAsync();
    }
}
