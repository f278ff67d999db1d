namespace Cryb.Testing;

/// <summary>
/// The environment of every silo and gateway of a cluster on this machine (`./cryb up` and
/// `bench`, the fault suite, the integration tests): each setting once, with the profile's
/// overrides and then <see cref="Settings"/> on top. Ports are each process's own
/// (<see cref="HostProcesses"/>).
/// </summary>
public sealed record HostEnvironment
{
    /// <summary>The account the gateways present to the silos, which lets them act for users.</summary>
    public const string GatewayAccount = "gateway";

    public required ClusterProfile Profile { get; init; }

    /// <summary>Npgsql connection string of the cluster's database.</summary>
    public required string Postgres { get; init; }

    /// <summary>StackExchange.Redis configuration of the membership Redis.</summary>
    public required string Redis { get; init; }

    /// <summary>The gateways' service-account secret, at least 32 characters.</summary>
    public required string GatewaySecret { get; init; }

    /// <summary>The HMAC key of the gateways' development tokens, at least 32 bytes.</summary>
    public required string SigningKey { get; init; }

    /// <summary>Cluster and service id; the hosts' default when null. Clusters sharing a Redis need ids of their own.</summary>
    public string? ClusterId { get; init; }

    /// <summary>Settings for silos and gateways alike, over everything else (a test's timings, more service accounts).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Settings for the silos only, over everything else: secrets gateways must not hold (the VAPID private key).</summary>
    public IReadOnlyDictionary<string, string> SiloSettings { get; init; } = new Dictionary<string, string>();

    public Dictionary<string, string> Silo() => Merge(Shared(), new Dictionary<string, string>
    {
        ["ConnectionStrings__Postgres"] = Postgres,
        // The schema is applied once before any silo starts, as a deployment's migration step does.
        ["Silo__MigrateOnStart"] = "false",
    }, GatewayAccountDeclaration(GatewaySecret), ProfileAccountDeclarations(), Profile.HostSettings, Profile.SiloSettings, Settings, SiloSettings);

    /// <summary>
    /// The secret of the profile's service account <paramref name="account"/>: an HMAC of its name
    /// under the gateways' secret, so the one random secret a cluster keeps covers every account
    /// (nothing more to store), and knowing one account's secret reveals neither another's nor the gateways'.
    /// </summary>
    public string ServiceSecret(string account) =>
        Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(GatewaySecret), System.Text.Encoding.UTF8.GetBytes($"service-account:{account}")));

    public Dictionary<string, string> Gateway() => Merge(Shared(), new Dictionary<string, string>
    {
        ["Auth__SigningKey"] = SigningKey,
        // How `./cryb up`'s web client, the load tool, the fault suite's checker and the tests sign in.
        ["Auth__DevTokens__Enabled"] = "true",
    }, GatewayCredential(GatewaySecret), Profile.HostSettings, Settings);

    /// <summary>What a silo is told about the gateways' account: its secret, that it acts for users, and every grant.</summary>
    public static Dictionary<string, string> GatewayAccountDeclaration(string secret) => new()
    {
        [$"Security__Services__{GatewayAccount}__Secret"] = secret,
        [$"Security__Services__{GatewayAccount}__ActAsUsers"] = "true",
        [$"Security__Services__{GatewayAccount}__Grants__0"] = "*",
    };

    /// <summary>What a silo is told about a backend service's account: its secret and grants; it acts only as itself.</summary>
    public static Dictionary<string, string> ServiceAccountDeclaration(string account, string secret, IEnumerable<string> grants) =>
        grants.Select((grant, i) => ($"Security__Services__{account}__Grants__{i}", grant))
            .Append(($"Security__Services__{account}__Secret", secret))
            .ToDictionary(pair => pair.Item1, pair => pair.Item2);

    /// <summary>What a gateway presents to the silos.</summary>
    public static Dictionary<string, string> GatewayCredential(string secret) => new()
    {
        ["Security__ServiceName"] = GatewayAccount,
        ["Security__ServiceSecret"] = secret,
    };

    /// <summary>What every process of the cluster gets, a bench baseline's too (so memory figures compare).</summary>
    public Dictionary<string, string> Shared()
    {
        var shared = new Dictionary<string, string>
        {
            // Dev tokens and the dashboard without credentials are for Development only.
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__Redis"] = Redis,
            // As the images set it (deploy/docker): two glibc arenas keep a silo's memory flat in a
            // soak. One set in the environment wins, so a bench can measure another.
            ["MALLOC_ARENA_MAX"] = Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is { Length: > 0 } arenas ? arenas : "2",
        };
        if (ClusterId is not null)
        {
            shared["Cluster__ClusterId"] = ClusterId;
            shared["Cluster__ServiceId"] = ClusterId;
        }

        return shared;
    }

    private Dictionary<string, string> ProfileAccountDeclarations() =>
        Merge(Profile.ServiceAccounts.Select(account => ServiceAccountDeclaration(account.Key, ServiceSecret(account.Key), account.Value)));

    private static Dictionary<string, string> Merge(params IEnumerable<IReadOnlyDictionary<string, string>> layers)
    {
        var merged = new Dictionary<string, string>();
        foreach (var (key, value) in layers.SelectMany(layer => layer))
        {
            merged[key] = value;
        }

        return merged;
    }
}
