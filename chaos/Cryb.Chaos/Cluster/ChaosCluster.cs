using Cryb.Testing;
using Npgsql;

namespace Cryb.Chaos.Cluster;

/// <summary>
/// The cluster the faults are injected into: a private PostgreSQL, a Redis with its append-only
/// file (as `./cryb up` runs it), silos and gateways as processes on fixed loopback ports, so a
/// process restarted after a fault comes back where it was.
/// </summary>
public sealed class ChaosCluster : IAsyncDisposable
{
    public const string Database = "cryb";

    private static readonly HttpClient MetricsHttp = new() { Timeout = TimeSpan.FromSeconds(5) };
    public const string SigningKey = "chaos-signing-key-that-is-at-least-32-bytes-long";
    private const string GatewaySecret = "chaos-gateway-secret-that-is-at-least-32-chars";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    private ChaosCluster(PostgresServer postgres, RedisServer redis, IReadOnlyList<ClusterProcess> silos, IReadOnlyList<ClusterProcess> gateways, string logs)
    {
        Postgres = postgres;
        Redis = redis;
        Silos = silos;
        Gateways = gateways;
        Logs = logs;
        DataSource = NpgsqlDataSource.Create(postgres.ConnectionString(Database));
    }

    public PostgresServer Postgres { get; }
    public RedisServer Redis { get; }
    public IReadOnlyList<ClusterProcess> Silos { get; }
    public IReadOnlyList<ClusterProcess> Gateways { get; }

    /// <summary>Where every process writes its log.</summary>
    public string Logs { get; }

    /// <summary>The checker's own connections to PostgreSQL: the truth every figure is checked against.</summary>
    public NpgsqlDataSource DataSource { get; }

    public IReadOnlyList<string> GatewayUrls => [.. Gateways.Select(gateway => gateway.Url)];

    public static async Task<ChaosCluster> StartAsync(int silos, int gateways, Action<string> log)
    {
        var postgres = PostgresServer.StartNewAsync();
        var redis = RedisServer.StartNewAsync(persistent: true);
        var clusterId = "chaos-" + Guid.NewGuid().ToString("N")[..8];
        var logs = Directory.CreateTempSubdirectory($"cryb-{clusterId}-").FullName;
        var pg = await postgres;
        var shared = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = pg.ConnectionString(Database),
            ["ConnectionStrings__Redis"] = (await redis).Configuration,
            ["Cluster__ClusterId"] = clusterId,
            ["Cluster__ServiceId"] = clusterId,
            ["Security__Services__gateway__Secret"] = GatewaySecret,
            ["Security__Services__gateway__ActAsUsers"] = "true",
            ["Security__Services__gateway__Grants__0"] = "*",
            ["Security__ServiceName"] = "gateway",
            ["Security__ServiceSecret"] = GatewaySecret,
            // The checker's senders retry with their nonce after a fault; the shipped 5 messages/s
            // per user would refuse those catch-up bursts and blur what the fault itself caused.
            ["RateLimits__Messages__PerSecond"] = "1000",
            ["RateLimits__Messages__Burst"] = "1000",
            ["RateLimits__Calls__PerSecond"] = "1000",
            ["RateLimits__Calls__Burst"] = "1000",
        };
        var siloProcesses = HostProcesses.Silos(silos, shared, logs);
        var gatewayProcesses = HostProcesses.Gateways(gateways, new Dictionary<string, string>(shared)
        {
            ["Auth__SigningKey"] = SigningKey,
            ["Auth__DevTokens__Enabled"] = "true",
        }, logs);
        var cluster = new ChaosCluster(pg, await redis, siloProcesses, gatewayProcesses, logs);
        try
        {
            log($"PostgreSQL on {pg.Port}, Redis on {cluster.Redis.Port}; starting {silos} silos and {gateways} gateways (logs in {logs})");
            // Every silo applies the schema on start (an advisory lock serializes them).
            foreach (var process in cluster.Silos.Concat(cluster.Gateways))
            {
                process.Start();
            }

            await cluster.WaitAllReadyAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public Task WaitAllReadyAsync() =>
        Task.WhenAll(Silos.Concat(Gateways).Select(process => process.WaitReadyAsync(ReadyTimeout)));

    /// <summary>Starts a stopped process again on its ports and waits until it is ready.</summary>
    public static async Task RestartAsync(ClusterProcess process)
    {
        process.Start();
        await process.WaitReadyAsync(ReadyTimeout);
    }

    /// <summary>Starts whatever is not running (after a fault that left a process dead) and waits for all.</summary>
    public async Task HealAsync()
    {
        foreach (var process in Silos.Concat(Gateways).Where(process => !process.IsRunning))
        {
            process.Start();
        }

        await WaitAllReadyAsync();
    }

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
        foreach (var process in Gateways.Concat(Silos))
        {
            await process.DisposeAsync();
        }

        await DataSource.DisposeAsync();
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}
