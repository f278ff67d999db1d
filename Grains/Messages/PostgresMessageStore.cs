using Cryb.Channels;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Cryb.Grains.Notifications;
using Cryb.Grains.Telemetry;
using Cryb.Messages;
using Npgsql;

namespace Cryb.Grains.Messages;

/// <summary>
/// The <see cref="IMessageStore"/> on the <c>messages</c> and <c>reactions</c> tables (see the
/// schema scripts), but for new messages: the silo's <see cref="MessageWriter"/> appends those.
/// </summary>
public sealed class PostgresMessageStore(NpgsqlDataSource dataSource, SiloMetrics metrics)
{
    private const string Columns =
        "id, channel_id, seq, author_id, content, nonce, reply_to_id, created_at, edited_at, revision_seq, deleted, mentions, reply_author_id, reply_excerpt";

    public async Task<long> GetLatestSeqAsync(string channelId, CancellationToken cancellationToken)
    {
        // max() over the unique (channel_id, revision_seq) index reads one index entry: as fast for
        // a million messages as for none.
        await using var command = Command("SELECT max(revision_seq) FROM messages WHERE channel_id = $1", channelId);
        return await command.ExecuteScalarAsync(cancellationToken) is long seq ? seq : 0;
    }

    public async Task<ChatMessage?> GetAsync(string channelId, Guid messageId)
    {
        var found = await QueryAsync($"SELECT {Columns} FROM messages WHERE id = $1 AND channel_id = $2", messageId, channelId);
        return found.Count > 0 ? found[0] : null;
    }

    public async Task<IReadOnlyList<ChatMessage>> GetManyAsync(string channelId, IReadOnlyCollection<Guid> messageIds) =>
        await ReadAsync($"SELECT {Columns} FROM messages WHERE channel_id = $1 AND id = ANY($2)", channelId, messageIds.ToArray());

    public Task<IReadOnlyList<ChatMessage>> FindByNoncesAsync(string channelId, IReadOnlyCollection<(string AuthorId, string Nonce)> keys) =>
        QueryAsync(
            $"SELECT {Columns} FROM messages WHERE channel_id = $1 AND (author_id, nonce) IN (SELECT * FROM unnest($2::text[], $3::text[]))",
            channelId, keys.Select(key => key.AuthorId).ToArray(), keys.Select(key => key.Nonce).ToArray());

    public async Task EditAsync(string channelId, Guid messageId, string content, IReadOnlyList<string> mentions, DateTimeOffset editedAt, long revisionSeq)
    {
        await using var command = Command(
            "UPDATE messages SET content = $3, mentions = $4, edited_at = $5, revision_seq = $6 WHERE id = $1 AND channel_id = $2",
            messageId, channelId, content, mentions.ToArray(), editedAt, revisionSeq);
        await ExecuteClaimingSeqAsync(command, channelId, revisionSeq);
    }

    public async Task DeleteAsync(string channelId, Guid messageId, long revisionSeq)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var reactions = new NpgsqlCommand("DELETE FROM reactions WHERE message_id = $1", connection, transaction))
        {
            reactions.Parameters.Add(new() { Value = messageId });
            await reactions.ExecuteNonQueryAsync();
        }

        await using (var tombstone = new NpgsqlCommand(
            "UPDATE messages SET content = '', mentions = '{}', reply_excerpt = NULL, deleted = true, revision_seq = $3 WHERE id = $1 AND channel_id = $2",
            connection, transaction))
        {
            tombstone.Parameters.Add(new() { Value = messageId });
            tombstone.Parameters.Add(new() { Value = channelId });
            tombstone.Parameters.Add(new() { Value = revisionSeq });
            await ExecuteClaimingSeqAsync(tombstone, channelId, revisionSeq);
        }

        await transaction.CommitAsync();
    }

    public Task<(bool Added, IReadOnlyList<WrittenNotification> Notified)> AddReactionAsync(
        string channelId, Guid messageId, string emoji, string userId, long revisionSeq, IReadOnlyList<NotificationDraft> notifications) =>
        ChangeReactionAsync(
            "INSERT INTO reactions (message_id, emoji, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            channelId, messageId, emoji, userId, revisionSeq, notifications);

    public async Task<bool> RemoveReactionAsync(string channelId, Guid messageId, string emoji, string userId, long revisionSeq) =>
        (await ChangeReactionAsync(
            "DELETE FROM reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3",
            channelId, messageId, emoji, userId, revisionSeq, [])).Changed;

    public async Task<IReadOnlyList<ReactionSummary>> GetReactionsAsync(Guid messageId) =>
        (await GetReactionsAsync([messageId])).GetValueOrDefault(messageId) ?? [];

    public Task<IReadOnlyList<ChatMessage>> GetChangedAfterAsync(string channelId, long afterSeq, int limit) =>
        QueryAsync(
            $"SELECT {Columns} FROM messages WHERE channel_id = $1 AND revision_seq > $2 ORDER BY revision_seq LIMIT $3",
            channelId, afterSeq, limit);

    public async Task<IReadOnlyList<RecentMessage>> GetRecentAsync(string channelId, int limit)
    {
        // Backwards along the primary key (channel_id, seq): as cheap for a million messages as for ten.
        await using var command = Command(
            "SELECT seq, id, author_id, deleted FROM messages WHERE channel_id = $1 ORDER BY seq DESC LIMIT $2", channelId, limit);
        await using var reader = await command.ExecuteReaderAsync();
        var recent = new List<RecentMessage>();
        while (await reader.ReadAsync())
        {
            recent.Add(new RecentMessage(reader.GetInt64(0), reader.GetGuid(1).ToString(), reader.GetString(2), reader.GetBoolean(3)));
        }

        recent.Reverse();
        return recent;
    }

    public Task<IReadOnlyList<ChatMessage>> GetBeforeAsync(string channelId, long beforeSeq, int limit) =>
        QueryAsync(
            $"SELECT {Columns} FROM messages WHERE channel_id = $1 AND seq < $2 AND NOT deleted ORDER BY seq DESC LIMIT $3",
            channelId, beforeSeq, limit);

    /// <remarks>
    /// No index serves the author: a ban's clean-up reads the channel's messages of that stretch
    /// (rare, and bounded by time), where an index would cost every send.
    /// </remarks>
    public Task<IReadOnlyList<ChatMessage>> GetByAuthorSinceAsync(string channelId, string authorId, DateTimeOffset since, int limit) =>
        QueryAsync(
            $"SELECT {Columns} FROM messages WHERE channel_id = $1 AND author_id = $2 AND created_at >= $3 AND NOT deleted ORDER BY seq LIMIT $4",
            channelId, authorId, since, limit);

    public async Task<int> CountUnreadAsync(string channelId, long afterSeq, string readerId, int cap)
    {
        // The cap bounds the scan for a reader who is far behind; clients show "cap+".
        await using var command = Command(
            "SELECT count(*) FROM (SELECT 1 FROM messages WHERE channel_id = $1 AND seq > $2 AND NOT deleted AND author_id <> $3 LIMIT $4) unread",
            channelId, afterSeq, readerId, cap);
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    public async Task DeleteChannelAsync(string channelId)
    {
        // Reactions go with their messages (ON DELETE CASCADE).
        await using var command = Command("DELETE FROM messages WHERE channel_id = $1", channelId);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<(bool Changed, IReadOnlyList<WrittenNotification> Notified)> ChangeReactionAsync(
        string change, string channelId, Guid messageId, string emoji, string userId, long revisionSeq, IReadOnlyList<NotificationDraft> notifications)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(change, connection, transaction);
        command.Parameters.Add(new() { Value = messageId });
        command.Parameters.Add(new() { Value = emoji });
        command.Parameters.Add(new() { Value = userId });
        if (await command.ExecuteNonQueryAsync() == 0)
        {
            return (false, []);
        }

        await using var bump = new NpgsqlCommand("UPDATE messages SET revision_seq = $3 WHERE id = $1 AND channel_id = $2", connection, transaction);
        bump.Parameters.Add(new() { Value = messageId });
        bump.Parameters.Add(new() { Value = channelId });
        bump.Parameters.Add(new() { Value = revisionSeq });
        await ExecuteClaimingSeqAsync(bump, channelId, revisionSeq);
        var notified = await NotificationStatement.ExecuteAsync(connection, transaction, notifications);
        await transaction.CommitAsync();
        return (true, notified);
    }

    private async Task<Dictionary<Guid, IReadOnlyList<ReactionSummary>>> GetReactionsAsync(Guid[] messageIds)
    {
        var result = new Dictionary<Guid, IReadOnlyList<ReactionSummary>>();
        if (messageIds.Length == 0)
        {
            return result;
        }

        await using var command = Command("""
            SELECT message_id, emoji, array_agg(user_id ORDER BY created_at, user_id)
              FROM reactions WHERE message_id = ANY($1)
             GROUP BY message_id, emoji
             ORDER BY message_id, min(created_at), emoji
            """, messageIds);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var messageId = reader.GetGuid(0);
            var users = reader.GetFieldValue<string[]>(2);
            if (!result.TryGetValue(messageId, out var list))
            {
                result[messageId] = list = new List<ReactionSummary>();
            }

            ((List<ReactionSummary>)list).Add(new ReactionSummary(reader.GetString(1), users.Length, users));
        }

        return result;
    }

    private async Task<IReadOnlyList<ChatMessage>> QueryAsync(string sql, params object[] parameters)
    {
        var rows = await ReadAsync(sql, parameters);
        var reactions = await GetReactionsAsync(rows.Where(m => !m.Deleted).Select(m => Guid.Parse(m.Id)).ToArray());
        return rows.Select(m => reactions.TryGetValue(Guid.Parse(m.Id), out var r) ? m with { Reactions = r } : m).ToArray();
    }

    /// <summary>Messages without their reactions.</summary>
    private async Task<List<ChatMessage>> ReadAsync(string sql, params object[] parameters)
    {
        var rows = new List<ChatMessage>();
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(Read(reader));
        }

        return rows;
    }

    private static ChatMessage Read(NpgsqlDataReader reader)
    {
        var replyToId = reader.IsDBNull(6) ? null : reader.GetGuid(6).ToString();
        return new ChatMessage(
            Id: reader.GetGuid(0).ToString(),
            ChannelId: reader.GetString(1),
            Seq: reader.GetInt64(2),
            AuthorId: reader.GetString(3),
            Content: reader.GetString(4),
            Nonce: reader.IsDBNull(5) ? null : reader.GetString(5),
            ReplyToId: replyToId,
            CreatedAt: reader.GetFieldValue<DateTimeOffset>(7),
            EditedAt: reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
            RevisionSeq: reader.GetInt64(9),
            Deleted: reader.GetBoolean(10),
            Mentions: reader.GetFieldValue<string[]>(11),
            ReplyTo: replyToId is null || reader.IsDBNull(12)
                ? null
                : new ReplyPreview(replyToId, reader.GetString(12), reader.IsDBNull(13) ? "" : reader.GetString(13)),
            Reactions: []);
    }

    private async Task ExecuteClaimingSeqAsync(NpgsqlCommand command, string channelId, long seq, [CallerMemberName] string operation = "")
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await command.ExecuteNonQueryAsync();
            // Edits, deletions and reactions: one change per write (sends are batched by the MessageWriter).
            metrics.Wrote(operation.Replace("Async", "", StringComparison.Ordinal), Stopwatch.GetElapsedTime(started), batchSize: 1);
        }
        catch (PostgresException ex) when (IsTakenByAnotherActivation(ex))
        {
            throw new SeqAlreadyTakenException(channelId, seq, ex);
        }
    }

    /// <summary>
    /// A unique index refused the write: another activation of the channel (a zombie after a
    /// partition) stored this seq, or, between the nonce probe and the insert, this nonce.
    /// </summary>
    internal static bool IsTakenByAnotherActivation(PostgresException ex) =>
        ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName is "messages_pkey" or "messages_revision" or "messages_nonce";

    private NpgsqlCommand Command(string sql, params object[] parameters)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var value in parameters)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
