using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cryb.Silo.Schema;

/// <summary>
/// Applies the versioned SQL scripts in <c>Schema/Migrations</c> (embedded in this assembly) that
/// the database has not seen yet, each in its own transaction. Safe to run twice and from several
/// silos at once: a session advisory lock serializes runners, and applied versions are recorded
/// with a checksum so an edited script is refused instead of silently skipped.
/// </summary>
public sealed partial class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger)
{
    // Any constant shared by every runner; "cryb" in ASCII.
    private const long AdvisoryLockKey = 0x63727962;
    private const string ResourcePrefix = "Cryb.Schema.";

    /// <summary>The embedded scripts, in version order.</summary>
    public static IReadOnlyList<Migration> Migrations { get; } = LoadMigrations();

    /// <summary>Waits before each retry of a transient failure: PostgreSQL still starting, or a machine too busy to connect in time.</summary>
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)];

    /// <summary>
    /// Applies what is missing; returns the versions applied by this call. A transient failure
    /// (connect timeout, broken connection) is retried a few times: each script commits with its
    /// version row, so a retry resumes where the failed attempt stopped.
    /// </summary>
    public async Task<IReadOnlyList<int>> ApplyAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await ApplyOnceAsync(cancellationToken);
            }
            catch (NpgsqlException ex) when (ex.IsTransient && attempt < RetryDelays.Length)
            {
                LogRetrying(ex, RetryDelays[attempt]);
                await Task.Delay(RetryDelays[attempt], cancellationToken);
            }
        }
    }

    private async Task<IReadOnlyList<int>> ApplyOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_lock($1)", cancellationToken, AdvisoryLockKey);
        try
        {
            await ExecuteAsync(connection, """
                CREATE TABLE IF NOT EXISTS cryb_schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);

            var applied = await ReadAppliedAsync(connection, cancellationToken);
            var newlyApplied = new List<int>();
            foreach (var migration in Migrations)
            {
                if (applied.TryGetValue(migration.Version, out var checksum))
                {
                    if (checksum != migration.Checksum)
                    {
                        throw new InvalidOperationException(
                            $"Schema script {migration.Name} changed after it was applied. Add a new script instead of editing an applied one.");
                    }

                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, migration.Sql, cancellationToken);
                await ExecuteAsync(connection,
                    "INSERT INTO cryb_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    cancellationToken, migration.Version, migration.Name, migration.Checksum);
                await transaction.CommitAsync(cancellationToken);
                LogApplied(migration.Name);
                newlyApplied.Add(migration.Version);
            }

            if (newlyApplied.Count == 0)
            {
                LogUpToDate(Migrations[^1].Version);
            }

            return newlyApplied;
        }
        finally
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock($1)", CancellationToken.None, AdvisoryLockKey);
        }
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM cryb_schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var applied = new Dictionary<int, string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        // No command timeout: the lock waits for another silo's migration, and a script may rewrite
        // a large table. The silo's 10 s bound is for calls that clients wait on.
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static IReadOnlyList<Migration> LoadMigrations()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => Migration.Load(assembly, name, name[ResourcePrefix.Length..]))
            .OrderBy(migration => migration.Version)
            .ToArray();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema migration {Name}")]
    private partial void LogApplied(string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schema migration failed on a transient error; retrying in {Delay}")]
    private partial void LogRetrying(Exception exception, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema is up to date at version {Version}")]
    private partial void LogUpToDate(int version);

    /// <summary>One versioned script: <c>NNNN_what_it_does.sql</c>.</summary>
    public sealed record Migration(int Version, string Name, string Sql, string Checksum)
    {
        internal static Migration Load(Assembly assembly, string resource, string name)
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var sql = reader.ReadToEnd();
            var version = int.Parse(name[..name.IndexOf('_')], System.Globalization.CultureInfo.InvariantCulture);
            var checksum = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));
            return new Migration(version, name, sql, checksum);
        }
    }
}
