using System.Globalization;
using System.Net.Sockets;
using Cryb.Testing;

namespace Cryb.Cluster;

/// <summary>
/// The cluster `./cryb up` and `./cryb bench` run, from the <c>CRYB_*</c> variables the script
/// exports (their defaults and help are the script's): fixed ports counting up, data, logs and the
/// development secrets in <c>CRYB_DATA</c>, or an existing PostgreSQL and Redis.
/// </summary>
public sealed record DeveloperCluster(string Data, int Silos, int Gateways, FixedPorts Ports, string? ExistingPostgres, string? ExistingRedis)
{
    public static DeveloperCluster FromEnvironment()
    {
        var silos = Number("CRYB_SILOS");
        var gateways = Number("CRYB_GATEWAYS");
        if (silos < 1 || gateways < 1)
        {
            throw new ClusterToolException("need at least one silo and one gateway");
        }

        return new DeveloperCluster(
            Required("CRYB_DATA"), silos, gateways,
            new FixedPorts(Number("CRYB_GATEWAY_PORT"), Number("CRYB_DASHBOARD_PORT"), Number("CRYB_SILO_PORT"),
                Number("CRYB_ORLEANS_GATEWAY_PORT"), Number("CRYB_PG_PORT"), Number("CRYB_REDIS_PORT")),
            Optional("CRYB_POSTGRES"), Optional("CRYB_REDIS"));
    }

    /// <summary>
    /// Starts it with <paramref name="profile"/>, after checking every port it needs is free;
    /// <paramref name="freshPostgres"/>: on an empty database of its own (<see cref="LocalClusterOptions.FreshPostgres"/>).
    /// </summary>
    public async Task<LocalCluster> StartAsync(ClusterProfile profile, CancellationToken cancellation, bool freshPostgres = false)
    {
        RequireFreePorts();
        return await LocalCluster.StartAsync(new LocalClusterOptions
        {
            Profile = profile,
            Silos = Silos,
            Gateways = Gateways,
            Ports = Ports,
            DataDirectory = Data,
            FreshPostgres = freshPostgres,
            ExistingPostgres = ExistingPostgres,
            ExistingRedis = ExistingRedis,
            // Kept in CRYB_DATA, so tokens survive a restart.
            SigningKey = DevSecret("dev-signing-key"),
            GatewaySecret = DevSecret("dev-gateway-secret"),
            // Web Push's VAPID pair, kept too: browsers' subscriptions are bound to the public key.
            SiloSettings = Cryb.Testing.WebPush.VapidPair.Kept(Path.Combine(Data, "dev-vapid-keys")).SiloSettings(),
        }, Say.Line, cancellation);
    }

    /// <summary>A random secret kept in <c>CRYB_DATA/name</c>, made on first use.</summary>
    public string DevSecret(string name)
    {
        var path = Path.Combine(Data, name);
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            Directory.CreateDirectory(Data);
            File.WriteAllText(path, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)));
        }

        return File.ReadAllText(path).Trim();
    }

    /// <summary>Fails naming the variable that moves a port, if something already listens on it.</summary>
    public static void RequireFreePort(int port, string what, string variable)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
        }
        catch (SocketException)
        {
            return;
        }

        throw new ClusterToolException($"port {port} ({what}) is in use: stop what holds it, or set {variable}");
    }

    private void RequireFreePorts()
    {
        for (var i = 0; i < Silos; i++)
        {
            RequireFreePort(Ports.SiloHttp(i), $"silo {i + 1}", "CRYB_DASHBOARD_PORT");
            RequireFreePort(Ports.Silo(i), $"silo {i + 1}", "CRYB_SILO_PORT");
            RequireFreePort(Ports.OrleansGateway(i), $"silo {i + 1}", "CRYB_ORLEANS_GATEWAY_PORT");
        }

        for (var i = 0; i < Gateways; i++)
        {
            RequireFreePort(Ports.Gateway(i), $"gateway {i + 1}", "CRYB_GATEWAY_PORT");
        }

        if (ExistingPostgres is null)
        {
            RequireFreePort(Ports.Postgres, "PostgreSQL", "CRYB_PG_PORT");
        }

        if (ExistingRedis is null)
        {
            RequireFreePort(Ports.Redis, "Redis", "CRYB_REDIS_PORT");
        }
    }

    public static int Number(string variable) =>
        int.TryParse(Required(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ClusterToolException($"{variable} must be a whole number, not '{Required(variable)}'");

    public static string? Optional(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;

    private static string Required(string variable) =>
        Optional(variable) ?? throw new ClusterToolException($"{variable} is not set: run this tool through ./cryb, which sets it");
}
