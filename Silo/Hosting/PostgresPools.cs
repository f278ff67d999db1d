using Npgsql;

namespace Cryb.Silo.Hosting;

/// <summary>
/// Caps each of a silo's three Npgsql pools (grain storage, message reads, message writes) at
/// <see cref="MaxPoolSize"/> connections unless the connection string sets <c>Maximum Pool Size</c>.
/// With Npgsql's default of 100 each, a reconnect storm took two silos past PostgreSQL's
/// <c>max_connections</c> (300 under <c>./cryb</c>), which refused connections by the thousand
/// ("53300: sorry, too many clients already") and failed the presence writes of the users going
/// offline. Past the cap a command waits for a free connection, up to the connect timeout, and
/// then fails as <c>storage_unavailable</c>: PostgreSQL itself is never refused into.
/// </summary>
public static class PostgresPools
{
    /// <summary>Per pool: 90 connections a silo, so three silos fit under 300 with room for migrations and operators.</summary>
    public const int MaxPoolSize = 30;

    public static string Apply(string connectionString)
    {
        var given = ConnectionStringKeys.Of(connectionString);
        if (given.Contains("MAXIMUMPOOLSIZE") || given.Contains("MAXPOOLSIZE"))
        {
            return connectionString;
        }

        return new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = MaxPoolSize }.ConnectionString;
    }
}
