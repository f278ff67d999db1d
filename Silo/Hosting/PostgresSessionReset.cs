using Npgsql;

namespace Cryb.Silo.Hosting;

/// <summary>
/// Returns pooled connections to the pool without resetting their session (<c>No Reset On Close</c>),
/// unless the connection string sets it. Npgsql otherwise runs seven statements (<c>SET SESSION
/// AUTHORIZATION DEFAULT; RESET ALL; CLOSE ALL; UNLISTEN *; ...</c>) before the next command on a
/// connection each time one is returned: in the connect bench that reset was the statement
/// PostgreSQL ran most, 5,218 times in 2 s, against 1,164 connects (docs/performance.md, Connects).
/// Nothing here leaves session state behind: no <c>SET</c>, <c>LISTEN</c> or temporary table, the
/// migrations' advisory lock is released explicitly, and a connection returned inside a
/// transaction is still rolled back.
/// </summary>
public static class PostgresSessionReset
{
    public static string Apply(string connectionString)
    {
        if (ConnectionStringKeys.Of(connectionString).Contains("NORESETONCLOSE"))
        {
            return connectionString;
        }

        return new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString;
    }
}
