using Npgsql;

namespace Cryb.Bench.Load.Guilds;

/// <summary>
/// Read-only looks at the cluster's database for the <c>guilds</c> scenario: a server's member
/// rows, and the rows every table had inserted, updated and deleted (PostgreSQL's cumulative
/// statistics), so a run shows what the joins wrote, table by table.
/// </summary>
public sealed class GuildRows(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _database = NpgsqlDataSource.Create(connectionString);

    /// <summary>The member rows of <paramref name="guildId"/>.</summary>
    public async Task<long> CountMembersAsync(string guildId, CancellationToken cancellation)
    {
        await using var command = _database.CreateCommand("SELECT count(*) FROM guild_members WHERE guild_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = guildId });
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    /// <summary>Rows inserted, updated and deleted so far, by table (every user table of the database).</summary>
    public async Task<TableWrites> WritesAsync(CancellationToken cancellation)
    {
        await using var command = _database.CreateCommand("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables");
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var tables = new SortedDictionary<string, RowWrites>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellation))
        {
            tables[reader.GetString(0)] = new RowWrites(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }

        return new TableWrites(tables);
    }

    /// <summary>
    /// The counts once they hold still: unchanged for <see cref="QuietTime"/> and, when
    /// <paramref name="before"/> is given, showing at least <paramref name="memberInserts"/> member
    /// inserts since it. A server process publishes its counts when it goes idle, at most about a
    /// second after its last commit, so a read right after the writes misses some: this reads every
    /// half second, for at most <paramref name="timeout"/> (there is no event to wait on), and
    /// returns the last read if they never settle.
    /// </summary>
    public async Task<TableWrites> SettledWritesAsync(TableWrites? before, long memberInserts, TimeSpan timeout, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = await WritesAsync(cancellation);
        var stillSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellation);
            var next = await WritesAsync(cancellation);
            if (!next.Equals(last))
            {
                (last, stillSince) = (next, DateTime.UtcNow);
            }
            else if (DateTime.UtcNow - stillSince >= QuietTime && (before is null || next.Since(before).Of("guild_members").Inserted >= memberInserts))
            {
                return next;
            }
        }

        return last;
    }

    /// <summary>Twice the longest a process holds its counts back while busy (PostgreSQL's one second).</summary>
    public static readonly TimeSpan QuietTime = TimeSpan.FromSeconds(2);

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}

/// <summary>Rows inserted, updated and deleted (of one table, or per join).</summary>
public readonly record struct RowWrites(long Inserted, long Updated, long Deleted)
{
    public static RowWrites operator -(RowWrites now, RowWrites then) =>
        new(now.Inserted - then.Inserted, now.Updated - then.Updated, now.Deleted - then.Deleted);

    public long Total => Inserted + Updated + Deleted;
}

/// <summary>Rows inserted, updated and deleted by table.</summary>
public sealed record TableWrites(IReadOnlyDictionary<string, RowWrites> Tables)
{
    public RowWrites Of(string table) => Tables.GetValueOrDefault(table);

    /// <summary>What was written since <paramref name="before"/>: only the tables with a change.</summary>
    public TableWrites Since(TableWrites before) => new(new SortedDictionary<string, RowWrites>(
        Tables.Select(pair => (pair.Key, Delta: pair.Value - before.Of(pair.Key)))
            .Where(table => table.Delta != default)
            .ToDictionary(table => table.Key, table => table.Delta), StringComparer.Ordinal));

    public bool Equals(TableWrites? other) =>
        other is not null && Tables.Count == other.Tables.Count && Tables.All(pair => other.Tables.TryGetValue(pair.Key, out var value) && value == pair.Value);

    public override int GetHashCode() => Tables.Count;
}
