using Npgsql;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// Holds every insert into <c>messages</c> back with a table lock, from a transaction of the
/// test's own, until disposed: a barrier that keeps one transaction of sends in flight on purpose,
/// so that what is sent meanwhile queues behind it.
/// </summary>
public sealed class InsertHold : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly NpgsqlDataSource _dataSource;

    private InsertHold(NpgsqlConnection connection, NpgsqlTransaction transaction, NpgsqlDataSource dataSource) =>
        (_connection, _transaction, _dataSource) = (connection, transaction, dataSource);

    public static async Task<InsertHold> TakeAsync(TestServers servers)
    {
        var connection = await servers.DataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        // EXCLUSIVE conflicts with the ROW EXCLUSIVE an INSERT takes, not with reads.
        await using (var command = new NpgsqlCommand("LOCK TABLE messages IN EXCLUSIVE MODE", connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new InsertHold(connection, transaction, servers.DataSource);
    }

    public Task WaitUntilAnInsertWaitsAsync() =>
        Eventually.WaitUntilAsync(async () =>
        {
            await using var command = _dataSource.CreateCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO messages%'");
            return (long)(await command.ExecuteScalarAsync())! > 0;
        }, "a message insert to wait on the table lock");

    /// <summary>Lets the inserts go; a no-op once PostgreSQL has ended the hold's session (stopped).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _transaction.CommitAsync();
        }
        catch (NpgsqlException) when (_connection.FullState.HasFlag(System.Data.ConnectionState.Broken))
        {
        }

        await _connection.DisposeAsync();
    }
}
