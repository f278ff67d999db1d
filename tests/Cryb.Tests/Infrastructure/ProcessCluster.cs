using System.Net.Http.Json;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// Silos and gateways as separate processes on the run's private PostgreSQL and Redis, each on
/// free ports, under a cluster id of their own.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    public const string SigningKey = "test-signing-key-that-is-at-least-32-bytes-long";

    /// <summary>
    /// Rate limits far above any test's pace, so tests of other behaviour never meet them; the
    /// limits' own tests start their cluster with <c>shippedLimits</c> instead.
    /// </summary>
    private static readonly Dictionary<string, string> GenerousRateLimits = new()
    {
        ["RateLimits__Messages__PerSecond"] = "10000",
        ["RateLimits__Messages__Burst"] = "10000",
        ["RateLimits__Calls__PerSecond"] = "10000",
        ["RateLimits__Calls__Burst"] = "10000",
        ["RateLimits__Typing__PerSecond"] = "10000",
        ["RateLimits__Typing__Burst"] = "10000",
    };

    private readonly HttpClient _http = new();

    private readonly string _redis;

    private ProcessCluster(string clusterId, string redis, IReadOnlyList<ClusterProcess> silos, IReadOnlyList<ClusterProcess> gateways)
    {
        _redis = redis;
        ClusterId = clusterId;
        Silos = silos;
        Gateways = gateways;
    }

    public string ClusterId { get; }
    public IReadOnlyList<ClusterProcess> Silos { get; }
    public IReadOnlyList<ClusterProcess> Gateways { get; }

    public static async Task<ProcessCluster> StartAsync(
        TestServers servers, int silos = 2, int gateways = 2, IReadOnlyDictionary<string, string>? settings = null,
        IReadOnlyDictionary<string, string>? gatewaySettings = null, bool shippedLimits = false)
    {
        var cluster = await CreateAsync(servers, silos, gateways, settings, gatewaySettings, shippedLimits);
        try
        {
            await cluster.StartAllAsync();
            return cluster;
        }
        catch
        {
            // Nobody else holds the cluster yet: stop what did start, or it outlives the test run.
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The processes, configured but not started. <paramref name="gatewaySettings"/> go to gateways
    /// only and win over their test defaults (the signing key, dev tokens on).
    /// </summary>
    public static Task<ProcessCluster> CreateAsync(
        TestServers servers, int silos = 2, int gateways = 2, IReadOnlyDictionary<string, string>? settings = null,
        IReadOnlyDictionary<string, string>? gatewaySettings = null, bool shippedLimits = false)
    {
        var clusterId = "test-" + Guid.NewGuid().ToString("N")[..12];
        var logs = Directory.CreateTempSubdirectory($"cryb-{clusterId}-").FullName;
        var shared = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = servers.PostgresConnectionString,
            ["ConnectionStrings__Redis"] = servers.Redis.Configuration,
            ["Cluster__ClusterId"] = clusterId,
            ["Cluster__ServiceId"] = clusterId,
        };
        foreach (var (key, value) in TestAccounts.Settings.Concat(shippedLimits ? [] : GenerousRateLimits))
        {
            shared[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            shared[key] = value;
        }

        var siloProcesses = HostProcesses.Silos(silos, shared, logs);
        var gatewayEnvironment = new Dictionary<string, string>(shared)
        {
            ["Auth__SigningKey"] = SigningKey,
            ["Auth__DevTokens__Enabled"] = "true",
        };
        foreach (var (key, value) in gatewaySettings ?? new Dictionary<string, string>())
        {
            gatewayEnvironment[key] = value;
        }

        var gatewayProcesses = HostProcesses.Gateways(gateways, gatewayEnvironment, logs);

        return Task.FromResult(new ProcessCluster(clusterId, servers.Redis.Configuration, siloProcesses, gatewayProcesses));
    }

    /// <summary>Starts every process (silos first, gateways alongside: they retry until a silo answers) and waits until all are ready.</summary>
    public async Task StartAllAsync()
    {
        foreach (var process in Silos.Concat(Gateways))
        {
            process.Start();
        }

        await Task.WhenAll(Silos.Concat(Gateways).Select(process => process.WaitReadyAsync(TimeSpan.FromSeconds(120))));
    }

    /// <summary>
    /// SIGTERM to every gateway, then to each silo in turn, as `./cryb up` stops them: silos stopped
    /// all at once make their shutdowns wait on each other.
    /// </summary>
    public async Task StopAllAsync()
    {
        await Task.WhenAll(Gateways.Select(gateway => gateway.StopAsync()));
        foreach (var silo in Silos.Reverse())
        {
            await silo.StopAsync();
        }
    }

    /// <summary>Stops every silo in turn and starts them again; gateways stay up and reconnect.</summary>
    public async Task RestartSilosAsync()
    {
        foreach (var silo in Silos.Reverse())
        {
            await silo.StopAsync();
        }

        foreach (var silo in Silos)
        {
            silo.Start();
        }

        await Task.WhenAll(Silos.Concat(Gateways).Select(process => process.WaitReadyAsync(TimeSpan.FromSeconds(120))));
    }

    /// <summary>A token from a gateway's dev-token endpoint.</summary>
    public async Task<string> TokenAsync(string userId, string? displayName = null)
    {
        var response = await _http.PostAsJsonAsync($"{Gateways[0].Url}/auth/dev-token", new { userId, displayName = displayName ?? userId });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<TokenResponse>();
        return body!.Token;
    }

    /// <summary>An Orleans client as a backend service uses one; calls pass their own credentials.</summary>
    public Task<ServiceClient> ConnectServiceAsync() => ServiceClient.ConnectAsync(ClusterId, _redis);

    public async Task<ChatTestClient> ConnectAsync(int gateway, string userId, bool messagePack = false) =>
        await ChatTestClient.ConnectAsync(Gateways[gateway].Url, await TokenAsync(userId), userId, messagePack);

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Gateways.Concat(Silos))
        {
            await process.DisposeAsync();
        }

        _http.Dispose();
    }

    private sealed record TokenResponse(string Token);
}
