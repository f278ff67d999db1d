namespace Cryb.Hosting;

/// <summary>The names under <c>ConnectionStrings</c> that silos, gateways and scripts set.</summary>
public static class ConnectionNames
{
    /// <summary>Npgsql connection string of the database holding grain state and messages.</summary>
    public const string Postgres = "Postgres";

    /// <summary>StackExchange.Redis configuration string of the cluster membership store.</summary>
    public const string Redis = "Redis";
}
