using System.Collections;

namespace Cryb.Testing;

/// <summary>
/// What a tool needs to reach a cluster as a backend service does (the Orleans client through the
/// Redis membership, with a service account) and, for checks, its database. `./cryb bench` hands
/// it to the load tool in environment variables rather than options: the tool records its command
/// line in every result, and a secret must not end up there (nor in <c>ps</c>).
/// </summary>
/// <param name="Redis">StackExchange.Redis configuration of the membership Redis.</param>
/// <param name="ClusterId">Cluster and service id (a local cluster uses one for both).</param>
/// <param name="Postgres">Npgsql connection string of the cluster's database, for read-only checks; null when not given.</param>
public sealed record BackendAccess(string Redis, string ClusterId, string ServiceName, string ServiceSecret, string? Postgres)
{
    public const string RedisVariable = "CRYB_BENCH_REDIS";
    public const string ClusterIdVariable = "CRYB_BENCH_CLUSTER_ID";
    public const string ServiceNameVariable = "CRYB_BENCH_SERVICE_NAME";
    public const string ServiceSecretVariable = "CRYB_BENCH_SERVICE_SECRET";
    public const string PostgresVariable = "CRYB_BENCH_POSTGRES";

    /// <summary>The hosts' own default (<c>Cluster:ClusterId</c> and <c>Cluster:ServiceId</c>), when a cluster names none.</summary>
    public const string DefaultClusterId = "cryb";

    /// <summary>
    /// <paramref name="account"/> of <paramref name="cluster"/>'s profile, with the cluster's Redis,
    /// id and database.
    /// </summary>
    public static BackendAccess Of(LocalCluster cluster, string account) =>
        cluster.Profile.ServiceAccounts.ContainsKey(account)
            ? new(cluster.Environment.Redis, cluster.Environment.ClusterId ?? DefaultClusterId, account, cluster.Environment.ServiceSecret(account), cluster.Environment.Postgres)
            : throw new ArgumentException($"the {cluster.Profile.Name} profile declares no service account '{account}'", nameof(account));

    public Dictionary<string, string> ToEnvironment()
    {
        var variables = new Dictionary<string, string>
        {
            [RedisVariable] = Redis,
            [ClusterIdVariable] = ClusterId,
            [ServiceNameVariable] = ServiceName,
            [ServiceSecretVariable] = ServiceSecret,
        };
        if (Postgres is not null)
        {
            variables[PostgresVariable] = Postgres;
        }

        return variables;
    }

    /// <summary>
    /// The access <paramref name="variables"/> (the process's environment by default) give, or null
    /// when the Redis, the account name or its secret is missing; the cluster id defaults to the hosts'.
    /// </summary>
    public static BackendAccess? FromEnvironment(IDictionary? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariables();
        string? Get(string name) => variables[name] is string { Length: > 0 } value ? value : null;
        return (Get(RedisVariable), Get(ServiceNameVariable), Get(ServiceSecretVariable)) is ({ } redis, { } name, { } secret)
            ? new BackendAccess(redis, Get(ClusterIdVariable) ?? DefaultClusterId, name, secret, Get(PostgresVariable))
            : null;
    }

    /// <summary>Only the names: the secret (and any password in the connection strings) stays out of logs and results.</summary>
    public override string ToString() => $"cluster {ClusterId} as service account {ServiceName}{(Postgres is null ? "" : ", with its database")}";
}
