using System.Diagnostics;

namespace Cryb.Testing;

/// <summary>
/// A whole cluster on this machine from the one definition: PostgreSQL and Redis (private ones, or
/// existing ones named), the schema, then silos and gateways with <see cref="HostEnvironment"/>.
/// `./cryb up` and `./cryb bench` run it through testing/Cryb.Cluster, the fault suite directly;
/// the integration tests share their servers between clusters and start the hosts alone.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    /// <summary>How long a host may take to answer <c>/health/ready</c> on a machine busy starting the others.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    private LocalCluster(ClusterProfile profile, string logs, PostgresServer? postgres, RedisServer? redis, HostEnvironment environment, LocalClusterOptions options)
    {
        Profile = profile;
        Logs = logs;
        Postgres = postgres;
        Redis = redis;
        Environment = environment;
        Silos = HostProcesses.Silos(options.Silos, environment.Silo(), logs, options.Ports);
        Gateways = HostProcesses.Gateways(options.Gateways, environment.Gateway(), logs, options.Ports);
    }

    public ClusterProfile Profile { get; }

    /// <summary>Where every process writes its log.</summary>
    public string Logs { get; }

    /// <summary>The private PostgreSQL; null when an existing one was named.</summary>
    public PostgresServer? Postgres { get; }

    /// <summary>The private Redis; null when an existing one was named.</summary>
    public RedisServer? Redis { get; }

    public HostEnvironment Environment { get; }

    public IReadOnlyList<ClusterProcess> Silos { get; }

    public IReadOnlyList<ClusterProcess> Gateways { get; }

    public IEnumerable<ClusterProcess> Hosts => Silos.Concat(Gateways);

    /// <summary>
    /// Starts the servers, applies the schema, starts every silo and gateway and waits until all are
    /// ready; if <paramref name="cancellation"/> fires first, kills what started.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(LocalClusterOptions options, Action<string> log, CancellationToken cancellation = default)
    {
        var data = options.DataDirectory ?? Directory.CreateTempSubdirectory($"cryb-{options.ClusterId ?? options.Profile.Name}-").FullName;
        var logs = Path.Combine(data, "logs");
        Directory.CreateDirectory(logs);
        Task<PostgresServer>? postgres = null;
        Task<RedisServer>? redis = null;
        if (options.ExistingPostgres is null)
        {
            var port = options.Ports.Postgres;
            log($"starting PostgreSQL on 127.0.0.1:{port}");
            var postgresData = Path.Combine(data, options.FreshPostgres ? "postgres-fresh" : "postgres");
            if (options.FreshPostgres && Directory.Exists(postgresData))
            {
                Directory.Delete(postgresData, recursive: true);
            }

            postgres = PostgresServer.StartAsync(options.Profile, postgresData, Path.Combine(data, "sockets"), Path.Combine(logs, "postgres.log"), port);
        }

        if (options.ExistingRedis is null)
        {
            var port = options.Ports.Redis;
            log($"starting Redis on 127.0.0.1:{port}");
            redis = RedisServer.StartAsync(options.Profile, port, Path.Combine(data, "redis"), Path.Combine(logs, "redis.log"));
        }

        PostgresServer? startedPostgres;
        RedisServer? startedRedis;
        try
        {
            startedPostgres = postgres is null ? null : await postgres;
            startedRedis = redis is null ? null : await redis;
        }
        catch
        {
            await DisposeIfStartedAsync(postgres);
            await DisposeIfStartedAsync(redis);
            throw;
        }

        var environment = new HostEnvironment
        {
            Profile = options.Profile,
            Postgres = startedPostgres?.ConnectionString() ?? options.ExistingPostgres!,
            Redis = startedRedis?.Configuration ?? options.ExistingRedis!,
            GatewaySecret = options.GatewaySecret,
            SigningKey = options.SigningKey,
            ClusterId = options.ClusterId,
            SiloSettings = options.SiloSettings,
        };
        var cluster = new LocalCluster(options.Profile, logs, startedPostgres, startedRedis, environment, options);
        try
        {
            log("applying the database schema");
            await MigrateAsync(environment.Postgres, log, cancellation);
            log($"starting {cluster.Silos.Count} silos and {cluster.Gateways.Count} gateways (logs in {logs})");
            await HostProcesses.StartAllAsync(cluster.Hosts, cancellation);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public Task WaitAllReadyAsync() => HostProcesses.WaitAllReadyAsync(Hosts);

    /// <summary>Starts whatever host is not running (after a fault that left one dead) and waits for all.</summary>
    public async Task HealAsync()
    {
        foreach (var process in Hosts.Where(process => !process.IsRunning))
        {
            process.Start();
        }

        await WaitAllReadyAsync();
    }

    /// <summary>The silos and gateways, in the order every local cluster stops them (<see cref="HostProcesses.StopInOrderAsync"/>).</summary>
    public Task StopHostsAsync(Action<string> log) => HostProcesses.StopInOrderAsync(Gateways, Silos, log);

    /// <summary>The hosts in order (<see cref="StopHostsAsync"/>), then Redis, which writes its append-only file, then PostgreSQL with a checkpoint.</summary>
    public async Task StopAsync(Action<string> log)
    {
        await StopHostsAsync(log);
        if (Redis is not null)
        {
            await Redis.StopAsync(graceful: true);
        }

        if (Postgres is not null)
        {
            await Postgres.StopAsync("fast");
        }
    }

    /// <summary>Kills whatever still runs: no graceful shutdown, for a run that is over.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var process in Hosts.Reverse())
        {
            await process.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }

    /// <summary>
    /// <c>Cryb.Silo migrate</c>, as a deployment's migration step runs it; its lines saying what it
    /// applied, or that the schema is up to date, are passed on.
    /// </summary>
    private static async Task MigrateAsync(string postgres, Action<string> log, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = BuildOutput.Of("Silo"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("Cryb.Silo.dll");
        start.ArgumentList.Add("migrate");
        start.Environment["ConnectionStrings__Postgres"] = postgres;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(cancellation);
        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Cryb.Silo migrate exited with {process.ExitCode}:\n{output}");
        }

        foreach (var line in output.Split('\n').Where(line => line.Contains("Applied", StringComparison.Ordinal) || line.Contains("up to date", StringComparison.Ordinal)))
        {
            log(line.Trim());
        }
    }

    /// <summary>Stops a server whose start may have failed; the failure itself is the caller's to report.</summary>
    private static async Task DisposeIfStartedAsync<T>(Task<T>? starting) where T : IAsyncDisposable
    {
        if (starting is null)
        {
            return;
        }

        try
        {
            await starting;
        }
        catch (Exception) when (starting.IsFaulted)
        {
            return;
        }

        await starting.Result.DisposeAsync();
    }
}
