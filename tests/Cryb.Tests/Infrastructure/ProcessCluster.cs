using System.Net.Http.Json;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// Silos and gateways as separate processes on the run's private PostgreSQL and Redis, each on
/// free ports, under a cluster id of their own.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    public const string SigningKey = "test-signing-key-that-is-at-least-32-bytes-long";

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
    /// The processes, configured but not started, as <see cref="HostEnvironment"/> defines every
    /// local cluster, with the <see cref="ClusterProfile.Tests"/> profile (or, with
    /// <paramref name="shippedLimits"/>, <see cref="ClusterProfile.TestsWithShippedLimits"/>) and the
    /// bots' accounts. <paramref name="settings"/> go to silos and gateways and win over all of it;
    /// <paramref name="gatewaySettings"/> go to gateways only and win over their test defaults (the
    /// signing key, dev tokens on).
    /// </summary>
    public static Task<ProcessCluster> CreateAsync(
        TestServers servers, int silos = 2, int gateways = 2, IReadOnlyDictionary<string, string>? settings = null,
        IReadOnlyDictionary<string, string>? gatewaySettings = null, bool shippedLimits = false)
    {
        var clusterId = "test-" + Guid.NewGuid().ToString("N")[..12];
        var logs = Directory.CreateTempSubdirectory($"cryb-{clusterId}-").FullName;
        var extra = new Dictionary<string, string>(TestAccounts.BotAccounts);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            extra[key] = value;
        }

        var environment = new HostEnvironment
        {
            Profile = shippedLimits ? ClusterProfile.TestsWithShippedLimits : ClusterProfile.Tests,
            Postgres = servers.PostgresConnectionString,
            Redis = servers.Redis.Configuration,
            GatewaySecret = TestAccounts.Gateway.Secret,
            SigningKey = SigningKey,
            ClusterId = clusterId,
            Settings = extra,
        };
        var gatewayEnvironment = environment.Gateway();
        foreach (var (key, value) in gatewaySettings ?? new Dictionary<string, string>())
        {
            gatewayEnvironment[key] = value;
        }

        return Task.FromResult(new ProcessCluster(clusterId, servers.Redis.Configuration,
            HostProcesses.Silos(silos, environment.Silo(), logs), HostProcesses.Gateways(gateways, gatewayEnvironment, logs)));
    }

    /// <summary>Starts every process (silos first, gateways alongside: they retry until a silo answers) and waits until all are ready.</summary>
    public Task StartAllAsync() => HostProcesses.StartAllAsync(Silos.Concat(Gateways));

    /// <summary>Stops every gateway, then each silo in turn, as every local cluster stops (<see cref="HostProcesses.StopInOrderAsync"/>).</summary>
    public Task StopAllAsync() => HostProcesses.StopInOrderAsync(Gateways, Silos);

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

        await HostProcesses.WaitAllReadyAsync(Silos.Concat(Gateways));
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

    /// <summary>
    /// A client of gateway <paramref name="gateway"/>; <paramref name="serverTimeout"/> replaces the
    /// client's 30 s wait for a silent gateway (a test that pauses the gateway longer needs more).
    /// </summary>
    public async Task<ChatTestClient> ConnectAsync(int gateway, string userId, bool messagePack = false, TimeSpan? serverTimeout = null) =>
        await ChatTestClient.ConnectAsync(Gateways[gateway].Url, await TokenAsync(userId), userId, messagePack, serverTimeout: serverTimeout);

    /// <summary>Connects with extra connect parameters (<c>guilds=resume</c>).</summary>
    public async Task<ChatTestClient> ConnectAsync(int gateway, string userId, string query) =>
        await ChatTestClient.ConnectAsync(Gateways[gateway].Url, await TokenAsync(userId), userId, query: query);

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
