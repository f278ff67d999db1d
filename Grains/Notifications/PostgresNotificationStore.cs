using Cryb.Notifications;
using Npgsql;

namespace Cryb.Grains.Notifications;

/// <summary>The <see cref="INotificationStore"/> on PostgreSQL (Silo/Schema/Migrations/0008_notifications.sql).</summary>
public sealed class PostgresNotificationStore(NpgsqlDataSource dataSource) : INotificationStore
{
    private const string Columns = "seq, id, kind, actor_id, guild_id, channel_id, message_id, message_seq, excerpt, created_at";

    /// <summary>The kinds a channel's <c>mentionCount</c> counts (<see cref="Notification.CountsAsMention"/>).</summary>
    private static readonly short[] MentionKinds = Enum.GetValues<NotificationKind>().Where(Notification.CountsAsMention).Select(kind => (short)kind).ToArray();

    public Task<IReadOnlyList<Notification>> GetBeforeAsync(string userId, long beforeSeq, int limit, bool unreadOnly) =>
        ReadAsync($"""
            SELECT {Columns} FROM notifications
             WHERE user_id = $1 AND seq < $2
               AND (NOT $4 OR seq > coalesce((SELECT acked_seq FROM notification_inboxes WHERE user_id = $1), 0))
             ORDER BY seq DESC LIMIT $3
            """, userId, beforeSeq, limit, unreadOnly);

    public Task<IReadOnlyList<Notification>> GetAfterAsync(string userId, long afterSeq, int limit) =>
        ReadAsync($"SELECT {Columns} FROM notifications WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3", userId, afterSeq, limit);

    public async Task<(long LastSeq, long AckedSeq)> GetCursorAsync(string userId)
    {
        await using var command = Command("SELECT last_seq, acked_seq FROM notification_inboxes WHERE user_id = $1", userId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    public async Task<NotificationSummary> GetSummaryAsync(string userId, IReadOnlyDictionary<string, long> lastReadSeqs)
    {
        // One round trip on every connect: the cursor (the row without a channel), then each
        // channel's unread mentions. Only the newest notifications kept per user can count: the
        // scan walks the primary key backwards from the newest, never a long history.
        await using var command = Command("""
            WITH inbox AS (SELECT last_seq, acked_seq FROM notification_inboxes WHERE user_id = $1)
            SELECT NULL::text, last_seq, acked_seq FROM inbox
            UNION ALL
            SELECT n.channel_id, count(*), NULL::bigint
              FROM inbox, notifications n
              LEFT JOIN unnest($2::text[], $3::bigint[]) AS r (channel_id, last_read) ON r.channel_id = n.channel_id
             WHERE n.user_id = $1 AND n.seq > inbox.last_seq - $4 AND n.kind = ANY($5) AND n.message_seq > coalesce(r.last_read, 0)
             GROUP BY n.channel_id
            """, userId, lastReadSeqs.Keys.ToArray(), lastReadSeqs.Values.ToArray(), NotificationLimits.KeptPerUser, MentionKinds);
        var (lastSeq, ackedSeq) = (0L, 0L);
        var counts = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (reader.IsDBNull(0))
            {
                (lastSeq, ackedSeq) = (reader.GetInt64(1), reader.GetInt64(2));
            }
            else
            {
                counts[reader.GetString(0)] = (int)reader.GetInt64(1);
            }
        }

        return lastSeq == 0 ? NotificationSummary.Empty : new NotificationSummary(lastSeq, ackedSeq, Unread(lastSeq, ackedSeq), counts);
    }

    public async Task<int> CountMentionsAsync(string userId, string channelId, long lastReadSeq)
    {
        await using var command = Command("""
            SELECT count(*)::int FROM notifications
             WHERE user_id = $1 AND channel_id = $2 AND message_seq > $3 AND kind = ANY($4)
               AND seq > coalesce((SELECT last_seq FROM notification_inboxes WHERE user_id = $1), 0) - $5
            """, userId, channelId, lastReadSeq, MentionKinds, NotificationLimits.KeptPerUser);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    public async Task<(long AckedSeq, int UnreadCount)> AckAsync(string userId, long upToSeq)
    {
        await using var command = Command("""
            UPDATE notification_inboxes SET acked_seq = greatest(acked_seq, least($2, last_seq))
             WHERE user_id = $1 RETURNING acked_seq, last_seq
            """, userId, upToSeq);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetInt64(0), Unread(reader.GetInt64(1), reader.GetInt64(0))) : (0, 0);
    }

    public async Task<IReadOnlyList<NotificationSetting>> GetSettingsAsync(string userId)
    {
        await using var command = Command("""
            SELECT scope_kind, scope_id, level, muted_until, suppress_everyone, suppress_roles
              FROM notification_settings WHERE user_id = $1 ORDER BY scope_kind, scope_id
            """, userId);
        await using var reader = await command.ExecuteReaderAsync();
        var settings = new List<NotificationSetting>();
        while (await reader.ReadAsync())
        {
            settings.Add(new NotificationSetting(
                new NotificationScope((NotificationScopeKind)reader.GetInt16(0), reader.GetString(1)).ToString(),
                reader.IsDBNull(2) ? null : (NotificationLevel)reader.GetInt16(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetBoolean(4),
                reader.GetBoolean(5)));
        }

        return settings;
    }

    public async Task<bool> SaveSettingAsync(string userId, NotificationScope scope, NotificationSetting setting)
    {
        if (setting.IsDefault)
        {
            await using var delete = Command(
                "DELETE FROM notification_settings WHERE user_id = $1 AND scope_kind = $2 AND scope_id = $3", userId, (short)scope.Kind, scope.Id);
            await delete.ExecuteNonQueryAsync();
            return true;
        }

        // A new scope only while the user has room; an existing one is always replaced. Calls of one
        // user run one at a time (their notification grain), so the count cannot race.
        await using var upsert = Command("""
            INSERT INTO notification_settings AS s (user_id, scope_kind, scope_id, level, muted_until, suppress_everyone, suppress_roles)
            SELECT $1, $2, $3, $4, $5, $6, $7
             WHERE EXISTS (SELECT 1 FROM notification_settings WHERE user_id = $1 AND scope_kind = $2 AND scope_id = $3)
                OR (SELECT count(*) FROM notification_settings WHERE user_id = $1) < $8
            ON CONFLICT (user_id, scope_kind, scope_id) DO UPDATE
               SET level = excluded.level, muted_until = excluded.muted_until,
                   suppress_everyone = excluded.suppress_everyone, suppress_roles = excluded.suppress_roles
            """, userId, (short)scope.Kind, scope.Id, setting.Level is { } level ? (short)level : DBNull.Value,
            setting.MutedUntil is { } until ? until : DBNull.Value, setting.SuppressEveryone, setting.SuppressRoles, NotificationLimits.MaxSettings);
        return await upsert.ExecuteNonQueryAsync() == 1;
    }

    public async Task<IReadOnlyList<string>> UsersWithLevelAllAsync(string? guildId, string channelId)
    {
        await using var command = Command("""
            SELECT user_id FROM notification_settings WHERE level = 0 AND scope_kind = 2 AND scope_id = $1
            UNION
            SELECT user_id FROM notification_settings WHERE level = 0 AND scope_kind = 1 AND scope_id = $2
            """, channelId, (object?)guildId ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync();
        var users = new List<string>();
        while (await reader.ReadAsync())
        {
            users.Add(reader.GetString(0));
        }

        return users;
    }

    public async Task RegisterPushAsync(string userId, PushSubscription subscription, DateTimeOffset now)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var upsert = Command(new NpgsqlCommand("""
            INSERT INTO push_subscriptions (endpoint, user_id, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at
            """, connection, transaction), subscription.Endpoint, userId, subscription.P256dh, subscription.Auth, now))
        {
            await upsert.ExecuteNonQueryAsync();
        }

        await using (var trim = Command(new NpgsqlCommand("""
            DELETE FROM push_subscriptions WHERE endpoint IN (
                SELECT endpoint FROM push_subscriptions WHERE user_id = $1 ORDER BY created_at DESC, endpoint OFFSET $2)
            """, connection, transaction), userId, NotificationLimits.MaxPushSubscriptions))
        {
            await trim.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    public async Task UnregisterPushAsync(string userId, string endpoint)
    {
        await using var command = Command("DELETE FROM push_subscriptions WHERE endpoint = $1 AND user_id = $2", endpoint, userId);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<WrittenNotification>> WriteAsync(IReadOnlyList<NotificationDraft> drafts)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await NotificationStatement.ExecuteAsync(connection, null, drafts);
    }

    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, int limit)
    {
        // A bounded batch per statement: a sweep never holds a long transaction over a busy table.
        await using var command = Command("""
            DELETE FROM notifications WHERE (user_id, seq) IN (
                SELECT n.user_id, n.seq FROM notifications n JOIN notification_inboxes i ON i.user_id = n.user_id
                 WHERE n.seq <= i.last_seq - $1 AND n.created_at < $2
                 LIMIT $3)
            """, NotificationLimits.KeptPerUser, now - NotificationLimits.KeptFor, limit);
        return await command.ExecuteNonQueryAsync();
    }

    private static int Unread(long lastSeq, long ackedSeq) => (int)Math.Min(int.MaxValue, lastSeq - ackedSeq);

    private async Task<IReadOnlyList<Notification>> ReadAsync(string sql, params object[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var found = new List<Notification>();
        while (await reader.ReadAsync())
        {
            found.Add(new Notification(
                reader.GetInt64(0),
                reader.GetGuid(1).ToString(),
                (NotificationKind)reader.GetInt16(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetGuid(6).ToString(),
                reader.IsDBNull(7) ? null : reader.GetInt64(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return found;
    }

    private NpgsqlCommand Command(string sql, params object[] parameters) => Command(dataSource.CreateCommand(sql), parameters);

    private static NpgsqlCommand Command(NpgsqlCommand command, params object[] parameters)
    {
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return command;
    }
}
