using Cryb.Grains.Notifications;
using Cryb.Notifications;
using Cryb.Relationships;
using Npgsql;

namespace Cryb.Grains.Relationships;

/// <summary>The <see cref="IRelationshipStore"/> on the <c>relationships</c>, <c>friend_requests_sent</c> and <c>privacy_settings</c> tables.</summary>
public sealed class PostgresRelationshipStore(NpgsqlDataSource dataSource) : IRelationshipStore
{
    // Both halves of a user's pairs, each turned to the user's side.
    private const string ListSql = """
        SELECT high_id, low_kind, high_kind, low_since, high_since, version FROM relationships WHERE low_id = $1
        UNION ALL
        SELECT low_id, high_kind, low_kind, high_since, low_since, version FROM relationships WHERE high_id = $1
        """;

    public async Task<IReadOnlyList<PairSides>> ListAsync(string userId)
    {
        await using var command = Command(dataSource.CreateCommand(ListSql), userId);
        await using var reader = await command.ExecuteReaderAsync();
        var pairs = new List<PairSides>();
        while (await reader.ReadAsync())
        {
            pairs.Add(new PairSides(userId, reader.GetString(0), (RelationshipKind)reader.GetInt16(1), (RelationshipKind)reader.GetInt16(2),
                NullableTime(reader, 3), NullableTime(reader, 4), reader.GetInt64(5)));
        }

        return pairs;
    }

    public async Task<PairSides> ReadAsync(string userId, string otherId)
    {
        var (low, high) = Order(userId, otherId);
        await using var command = Command(dataSource.CreateCommand(
            "SELECT low_kind, high_kind, low_since, high_since, version FROM relationships WHERE low_id = $1 AND high_id = $2"), low, high);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? FromUser(userId, otherId, reader) : PairSides.Empty(userId, otherId);
    }

    public async Task<PairChange> ChangeAsync(string userId, string otherId, Func<PairFacts, PairDecision> decide, DateTimeOffset now)
    {
        // PostgreSQL keeps microseconds: the pair returned must equal the pair read back later.
        now = now.AddTicks(-(now.Ticks % 10));
        var (low, high) = Order(userId, otherId);
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        // The row exists from here on, so FOR UPDATE always has one to lock: two changes of a pair wait on each other.
        await Execute(connection, "INSERT INTO relationships (low_id, high_id, version) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING", low, high);
        PairSides current;
        await using (var read = Command(new NpgsqlCommand(
            "SELECT low_kind, high_kind, low_since, high_since, version FROM relationships WHERE low_id = $1 AND high_id = $2 FOR UPDATE", connection), low, high))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            current = FromUser(userId, otherId, reader);
        }

        int myFriends, theirFriends, myBlocked;
        await using (var counts = Command(new NpgsqlCommand($"""
            SELECT
                (SELECT count(*) FROM relationships WHERE (low_id = $1 AND low_kind = {(int)RelationshipKind.Friend}) OR (high_id = $1 AND high_kind = {(int)RelationshipKind.Friend})),
                (SELECT count(*) FROM relationships WHERE (low_id = $2 AND low_kind = {(int)RelationshipKind.Friend}) OR (high_id = $2 AND high_kind = {(int)RelationshipKind.Friend})),
                (SELECT count(*) FROM relationships WHERE (low_id = $1 AND low_kind = {(int)RelationshipKind.Blocked}) OR (high_id = $1 AND high_kind = {(int)RelationshipKind.Blocked}))
            """, connection), userId, otherId))
        await using (var reader = await counts.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (myFriends, theirFriends, myBlocked) = ((int)reader.GetInt64(0), (int)reader.GetInt64(1), (int)reader.GetInt64(2));
        }

        var recent = new List<DateTimeOffset>();
        await using (var requests = Command(new NpgsqlCommand(
            "SELECT sent_at FROM friend_requests_sent WHERE user_id = $1 AND sent_at > $2 ORDER BY sent_at", connection), userId, now - RelationshipLimits.RequestWindow))
        await using (var reader = await requests.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                recent.Add(reader.GetFieldValue<DateTimeOffset>(0));
            }
        }

        var decision = decide(new PairFacts(current, myFriends, theirFriends, myBlocked, recent));
        if ((decision.Mine, decision.Theirs) == (current.Mine, current.Theirs))
        {
            // Nothing changes (a request sent again, a block repeated): no new version, no events.
            return new PairChange(current, []);
        }

        var written = current with
        {
            Mine = decision.Mine,
            Theirs = decision.Theirs,
            MySince = decision.Mine == RelationshipKind.None ? null : decision.Mine == current.Mine ? current.MySince : now,
            TheirSince = decision.Theirs == RelationshipKind.None ? null : decision.Theirs == current.Theirs ? current.TheirSince : now,
            // Clock-following, and always past the row's last version, so holders keep the newest.
            Version = Math.Max(now.ToUnixTimeMilliseconds() * 1000, current.Version + 1),
        };
        if (written.Mine == RelationshipKind.None && written.Theirs == RelationshipKind.None)
        {
            await Execute(connection, "DELETE FROM relationships WHERE low_id = $1 AND high_id = $2", low, high);
        }
        else
        {
            var (lowKind, highKind, lowSince, highSince) = userId == low
                ? (written.Mine, written.Theirs, written.MySince, written.TheirSince)
                : (written.Theirs, written.Mine, written.TheirSince, written.MySince);
            await Execute(connection, """
                UPDATE relationships SET low_kind = $3, high_kind = $4, low_since = $5, high_since = $6, version = $7
                 WHERE low_id = $1 AND high_id = $2
                """, low, high, (short)lowKind, (short)highKind, (object?)lowSince ?? DBNull.Value, (object?)highSince ?? DBNull.Value, written.Version);
        }

        if (decision.RequestSent)
        {
            await Execute(connection, "DELETE FROM friend_requests_sent WHERE user_id = $1 AND sent_at <= $2", userId, now - RelationshipLimits.RequestWindow);
            await Execute(connection, "INSERT INTO friend_requests_sent (user_id, other_id, sent_at) VALUES ($1, $2, $3)", userId, otherId, now);
        }

        var notified = await NotificationStatement.ExecuteAsync(connection, transaction, RelationshipNotifications.Of(current, written, now));
        await transaction.CommitAsync();
        return new PairChange(written, notified);
    }

    public async Task<PrivacySettings> GetPrivacyAsync(string userId)
    {
        await using var command = Command(dataSource.CreateCommand("SELECT direct_messages, friend_requests FROM privacy_settings WHERE user_id = $1"), userId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new PrivacySettings((DirectMessagesFrom)reader.GetInt16(0), (FriendRequestsFrom)reader.GetInt16(1))
            : PrivacySettings.Default;
    }

    public async Task SetPrivacyAsync(string userId, PrivacySettings settings)
    {
        await using var command = Command(dataSource.CreateCommand("""
            INSERT INTO privacy_settings (user_id, direct_messages, friend_requests) VALUES ($1, $2, $3)
            ON CONFLICT (user_id) DO UPDATE SET direct_messages = excluded.direct_messages, friend_requests = excluded.friend_requests
            """), userId, (short)settings.DirectMessages, (short)settings.FriendRequests);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<Invitation>> ListInvitationsAsync(string userId)
    {
        await using var command = Command(dataSource.CreateCommand(
            "SELECT channel_id, channel_name, inviter_id, created_at FROM channel_invitations WHERE user_id = $1 ORDER BY created_at DESC"), userId);
        await using var reader = await command.ExecuteReaderAsync();
        var invitations = new List<Invitation>();
        while (await reader.ReadAsync())
        {
            invitations.Add(new Invitation(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return invitations;
    }

    public async Task<(IReadOnlyList<string> Dropped, IReadOnlyList<WrittenNotification> Notified)> AddInvitationAsync(string userId, Invitation invitation, int keep)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // One statement: the upsert, then the user's invitations past the newest `keep` go.
        var dropped = new List<string>();
        await using (var command = Command(new NpgsqlCommand("""
            WITH added AS (
                INSERT INTO channel_invitations (user_id, channel_id, channel_name, inviter_id, created_at) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (user_id, channel_id) DO UPDATE SET channel_name = excluded.channel_name, inviter_id = excluded.inviter_id, created_at = excluded.created_at
                RETURNING channel_id
            ), oldest AS (
                SELECT channel_id FROM channel_invitations WHERE user_id = $1 AND channel_id <> $2
                 ORDER BY created_at DESC OFFSET $6 - 1
            )
            DELETE FROM channel_invitations WHERE user_id = $1 AND channel_id IN (SELECT channel_id FROM oldest) AND EXISTS (SELECT 1 FROM added)
            RETURNING channel_id
            """, connection, transaction), userId, invitation.ChannelId, invitation.ChannelName, invitation.InviterId, invitation.CreatedAt, keep))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                dropped.Add(reader.GetString(0));
            }
        }

        var notified = await NotificationStatement.ExecuteAsync(connection, transaction, [
            NotificationDraft.Unscoped(userId, NotificationKind.Invitation, invitation.InviterId, invitation.ChannelId, invitation.ChannelName, invitation.CreatedAt)]);
        await transaction.CommitAsync();
        return (dropped, notified);
    }

    public async Task<bool> RemoveInvitationAsync(string userId, string channelId)
    {
        await using var command = Command(dataSource.CreateCommand("DELETE FROM channel_invitations WHERE user_id = $1 AND channel_id = $2"), userId, channelId);
        return await command.ExecuteNonQueryAsync() == 1;
    }

    private static (string Low, string High) Order(string a, string b) =>
        string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);

    /// <summary>A row read as (low_kind, high_kind, low_since, high_since, version), turned to the user's side.</summary>
    private static PairSides FromUser(string userId, string otherId, NpgsqlDataReader reader)
    {
        var low = new PairSides(userId, otherId, (RelationshipKind)reader.GetInt16(0), (RelationshipKind)reader.GetInt16(1),
            NullableTime(reader, 2), NullableTime(reader, 3), reader.GetInt64(4));
        return string.CompareOrdinal(userId, otherId) < 0 ? low : low with { Mine = low.Theirs, Theirs = low.Mine, MySince = low.TheirSince, TheirSince = low.MySince };
    }

    private static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static async Task Execute(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = Command(new NpgsqlCommand(sql, connection), parameters);
        await command.ExecuteNonQueryAsync();
    }

    private static NpgsqlCommand Command(NpgsqlCommand command, params object[] parameters)
    {
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
