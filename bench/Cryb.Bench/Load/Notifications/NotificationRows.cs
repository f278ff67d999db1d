using Npgsql;

namespace Cryb.Bench.Load.Notifications;

/// <summary>
/// Read-only counts of notification rows for the <c>notifications</c> scenario: the rows the run's
/// users have (read at both ends of each measured segment of mentions: rows written per second), and the rows of given
/// messages (a mention in a server of 1,000 members must have written 999). A notification commits
/// in the transaction of its message, so a count after the send's answer is exact.
/// </summary>
public sealed class NotificationRows(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _database = NpgsqlDataSource.Create(connectionString);

    /// <summary>
    /// The notification rows <paramref name="userIds"/> ever had: the sum of their gapless
    /// counters (<c>notification_inboxes.last_seq</c>), a primary-key probe per user, where a
    /// <c>count(*)</c> would scan the whole table (it has no index by channel) while the run is
    /// measured. The run's users are its own, so every row is this run's.
    /// </summary>
    public async Task<long> CountOfUsersAsync(IReadOnlyList<string> userIds, CancellationToken cancellation)
    {
        await using var command = _database.CreateCommand("SELECT coalesce(sum(last_seq), 0)::bigint FROM notification_inboxes WHERE user_id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = userIds.ToArray() });
        return (long)(await command.ExecuteScalarAsync(cancellation))!;
    }

    /// <summary>Notification rows by message, for <paramref name="messageIds"/> (a message with none is left out).</summary>
    public async Task<IReadOnlyDictionary<Guid, long>> CountByMessageAsync(IReadOnlyList<Guid> messageIds, CancellationToken cancellation)
    {
        await using var command = _database.CreateCommand("SELECT message_id, count(*) FROM notifications WHERE message_id = ANY($1) GROUP BY message_id");
        command.Parameters.Add(new NpgsqlParameter { Value = messageIds.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        var counts = new Dictionary<Guid, long>();
        while (await reader.ReadAsync(cancellation))
        {
            counts[reader.GetGuid(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
