using Cryb.Grains.Guilds;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cryb.Grains.Channels;

/// <summary>
/// Which standalone channels move into a server of their own: those created before the upgrade
/// (<see cref="GuildOptions.MoveStandaloneChannelsCreatedBefore"/>, else the moment the servers
/// schema was applied, read once per silo).
/// </summary>
public sealed class StandaloneChannelCutoff(IOptions<GuildOptions> options, NpgsqlDataSource dataSource)
{
    /// <summary>The schema migration that brought servers: channels older than it predate them.</summary>
    private const int ServersSchemaVersion = 4;

    private Task<DateTimeOffset>? _cutoff;

    /// <summary>Whether a standalone channel created at <paramref name="createdAt"/> is one to move.</summary>
    public async Task<bool> MovesAsync(DateTimeOffset createdAt)
    {
        var cutoff = _cutoff ??= ReadAsync(options.Value, dataSource);
        try
        {
            return createdAt < await cutoff;
        }
        catch
        {
            // Not kept: a read that met PostgreSQL down is made again by the next activation.
            _ = Interlocked.CompareExchange(ref _cutoff, null, cutoff);
            throw;
        }
    }

    private static async Task<DateTimeOffset> ReadAsync(GuildOptions options, NpgsqlDataSource dataSource)
    {
        if (options.MoveStandaloneChannelsCreatedBefore is { } configured)
        {
            return configured;
        }

        await using var command = dataSource.CreateCommand("SELECT applied_at FROM cryb_schema_migrations WHERE version = $1");
        command.Parameters.AddWithValue(ServersSchemaVersion);
        // A silo runs only on a migrated schema: no row would mean no upgrade happened here, so nothing predates it.
        return await command.ExecuteScalarAsync() is DateTime appliedAt ? new DateTimeOffset(DateTime.SpecifyKind(appliedAt, DateTimeKind.Utc)) : DateTimeOffset.MinValue;
    }
}
