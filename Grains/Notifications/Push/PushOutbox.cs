using Cryb.Notifications;
using Npgsql;
using NpgsqlTypes;

namespace Cryb.Grains.Notifications.Push;

/// <summary>
/// One row of <c>push_outbox</c> with what sending it needs: the subscription's keys (null when the
/// subscription is gone or now belongs to another user) and the notification (null when it was
/// pruned).
/// </summary>
public sealed record PushOutboxRow(
    Guid NotificationId,
    string Endpoint,
    string UserId,
    long UserSeq,
    DateTimeOffset DueAt,
    int Attempts,
    string? P256dh,
    string? Auth,
    Notification? Notification);

/// <summary>
/// The <c>push_outbox</c> table (Silo/Schema/Migrations/0008_notifications.sql): a silo claims due
/// rows in a transaction that keeps them locked while it pushes, so two silos never take the same
/// row, and one that dies mid-push releases its rows with its connection (at least once).
/// </summary>
public sealed class PushOutbox(NpgsqlDataSource dataSource)
{
    // SKIP LOCKED: a silo takes the due rows no other silo holds, instead of waiting for them. Only
    // the outbox rows are locked (FOR UPDATE OF o): a subscription or notification is only read.
    private const string ClaimSql = """
        SELECT o.notification_id, o.endpoint, o.user_id, o.user_seq, o.due_at, o.attempts,
               s.p256dh, s.auth,
               n.id, n.kind, n.actor_id, n.guild_id, n.channel_id, n.message_id, n.message_seq, n.excerpt, n.created_at
        FROM push_outbox o
        LEFT JOIN push_subscriptions s ON s.endpoint = o.endpoint AND s.user_id = o.user_id
        LEFT JOIN notifications n ON n.user_id = o.user_id AND n.seq = o.user_seq AND n.id = o.notification_id
        WHERE o.due_at <= $1
        ORDER BY o.due_at
        LIMIT $2
        FOR UPDATE OF o SKIP LOCKED
        """;

    /// <summary>Opens a transaction and locks up to <paramref name="limit"/> rows due at <paramref name="now"/>, oldest due first.</summary>
    public async Task<PushOutboxBatch> ClaimAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var rows = new List<PushOutboxRow>();
            await using (var command = new NpgsqlCommand(ClaimSql, connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = now });
                command.Parameters.Add(new NpgsqlParameter { Value = limit });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add(Read(reader));
                }
            }

            return new PushOutboxBatch(connection, transaction, rows);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static PushOutboxRow Read(NpgsqlDataReader reader)
    {
        var notification = reader.IsDBNull(8) ? null : new Notification(
            reader.GetInt64(3),
            reader.GetGuid(8).ToString(),
            (NotificationKind)reader.GetInt16(9),
            reader.GetString(10),
            reader.IsDBNull(11) ? null : reader.GetString(11),
            reader.IsDBNull(12) ? null : reader.GetString(12),
            reader.IsDBNull(13) ? null : reader.GetGuid(13).ToString(),
            reader.IsDBNull(14) ? null : reader.GetInt64(14),
            reader.IsDBNull(15) ? null : reader.GetString(15),
            reader.GetFieldValue<DateTimeOffset>(16));
        return new PushOutboxRow(
            reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
            reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt32(5),
            reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
            notification);
    }
}

/// <summary>
/// Rows a silo holds locked in its open transaction. What becomes of them is written in the same
/// transaction and committed once for the batch; disposed without <see cref="CommitAsync"/>, the
/// transaction rolls back and the rows are due again for any silo.
/// </summary>
public sealed class PushOutboxBatch(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<PushOutboxRow> rows) : IAsyncDisposable
{
    public IReadOnlyList<PushOutboxRow> Rows => rows;

    /// <summary>Rows done with: pushed, refused for good, or not to be pushed.</summary>
    public async Task DeleteAsync(IReadOnlyCollection<PushOutboxRow> done, CancellationToken cancellationToken)
    {
        if (done.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand("""
            DELETE FROM push_outbox o
            USING unnest($1::uuid[], $2::text[]) AS d(notification_id, endpoint)
            WHERE o.notification_id = d.notification_id AND o.endpoint = d.endpoint
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = done.Select(row => row.NotificationId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = done.Select(row => row.Endpoint).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Rows to try again later: due at their new time, with their attempts counted.</summary>
    public async Task RescheduleAsync(IReadOnlyCollection<(PushOutboxRow Row, DateTimeOffset DueAt, int Attempts)> later, CancellationToken cancellationToken)
    {
        if (later.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand("""
            UPDATE push_outbox o SET due_at = l.due_at, attempts = l.attempts
            FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::int[]) AS l(notification_id, endpoint, due_at, attempts)
            WHERE o.notification_id = l.notification_id AND o.endpoint = l.endpoint
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = later.Select(item => item.Row.NotificationId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = later.Select(item => item.Row.Endpoint).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = later.Select(item => item.DueAt).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = later.Select(item => item.Attempts).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Subscriptions whose push service answered 404 or 410, with their outbox rows. Rows another
    /// silo holds are left to it (SKIP LOCKED): waiting for them could deadlock two silos removing
    /// the same endpoint, and that silo finds the subscription gone when it pushes or next claims.
    /// </summary>
    public async Task RemoveSubscriptionsAsync(IReadOnlyCollection<string> endpoints, CancellationToken cancellationToken)
    {
        if (endpoints.Count == 0)
        {
            return;
        }

        foreach (var sql in new[]
        {
            "DELETE FROM push_subscriptions WHERE endpoint = ANY($1)",
            "DELETE FROM push_outbox WHERE ctid IN (SELECT ctid FROM push_outbox WHERE endpoint = ANY($1) FOR UPDATE SKIP LOCKED)",
        })
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = endpoints.ToArray() });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
