namespace Cryb.Testing;

/// <summary>The shape and place of a <see cref="LocalCluster"/>; what it runs with comes from <see cref="Profile"/>.</summary>
public sealed record LocalClusterOptions
{
    public required ClusterProfile Profile { get; init; }

    public int Silos { get; init; } = 2;

    public int Gateways { get; init; } = 2;

    public LocalPorts Ports { get; init; } = LocalPorts.Free;

    /// <summary>Where the private servers keep their data and every process its log; a new temporary folder when null.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// The private PostgreSQL starts on an empty database of its own (in <c>postgres-fresh</c> under
    /// <see cref="DataDirectory"/>, emptied at each start) instead of the one kept in <c>postgres</c>.
    /// For measurements: no run measures on what earlier runs left (one day of bench runs had left
    /// 1.9 GB, and PostgreSQL's background work on it would share the cores with the next run).
    /// </summary>
    public bool FreshPostgres { get; init; }

    /// <summary>Npgsql connection string of an existing PostgreSQL to use instead of starting one.</summary>
    public string? ExistingPostgres { get; init; }

    /// <summary>StackExchange.Redis configuration of an existing Redis to use instead of starting one.</summary>
    public string? ExistingRedis { get; init; }

    public required string SigningKey { get; init; }

    public required string GatewaySecret { get; init; }

    /// <inheritdoc cref="HostEnvironment.SiloSettings"/>
    public IReadOnlyDictionary<string, string> SiloSettings { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc cref="HostEnvironment.ClusterId"/>
    public string? ClusterId { get; init; }
}
