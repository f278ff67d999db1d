using Cryb.Messages;
using Npgsql;
using NpgsqlTypes;

namespace Cryb.Grains.Messages;

/// <summary>The <see cref="IMessageStore"/> on the <c>messages</c> table (see the schema scripts).</summary>
public sealed class PostgresMessageStore(NpgsqlDataSource dataSource) : IMessageStore
{
    private const string Columns =
        "id, channel_id, seq, author_id, content, nonce, reply_to_id, created_at, edited_at";

    public async Task<long> GetLatestSeqAsync(string channelId, CancellationToken cancellationToken)
    {
        // Walks the primary key backwards: as fast for a million messages as for none.
        await using var command = dataSource.CreateCommand(
            "SELECT seq FROM messages WHERE channel_id = $1 ORDER BY seq DESC LIMIT 1");
        command.Parameters.Add(new() { Value = channelId });
        return await command.ExecuteScalarAsync(cancellationToken) is long seq ? seq : 0;
    }

    public async Task AppendAsync(ChatMessage message)
    {
        await using var command = dataSource.CreateCommand(
            $"INSERT INTO messages ({Columns}, revision_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $3)");
        command.Parameters.Add(new() { Value = Guid.Parse(message.Id) });
        command.Parameters.Add(new() { Value = message.ChannelId });
        command.Parameters.Add(new() { Value = message.Seq });
        command.Parameters.Add(new() { Value = message.AuthorId });
        command.Parameters.Add(new() { Value = message.Content });
        command.Parameters.Add(new() { Value = (object?)message.Nonce ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = message.ReplyToId is { } r ? Guid.Parse(r) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new() { Value = message.CreatedAt });
        command.Parameters.Add(new() { Value = (object?)message.EditedAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        try
        {
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == "messages_pkey")
        {
            throw new SeqAlreadyTakenException(message.ChannelId, message.Seq, ex);
        }
    }

    public async Task<ChatMessage?> FindByNonceAsync(string channelId, string authorId, string nonce)
    {
        var found = await QueryAsync(
            $"SELECT {Columns} FROM messages WHERE channel_id = $1 AND author_id = $2 AND nonce = $3",
            channelId, authorId, nonce);
        return found.Count > 0 ? found[0] : null;
    }

    public async Task<bool> ExistsAsync(string channelId, Guid messageId)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM messages WHERE id = $1 AND channel_id = $2)");
        command.Parameters.Add(new() { Value = messageId });
        command.Parameters.Add(new() { Value = channelId });
        return await command.ExecuteScalarAsync() is true;
    }

    public Task<IReadOnlyList<ChatMessage>> GetAfterAsync(string channelId, long afterSeq, int limit) =>
        QueryAsync(
            $"SELECT {Columns} FROM messages WHERE channel_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            channelId, afterSeq, limit);

    public Task<IReadOnlyList<ChatMessage>> GetBeforeAsync(string channelId, long beforeSeq, int limit) =>
        QueryAsync(
            $"SELECT {Columns} FROM messages WHERE channel_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
            channelId, beforeSeq, limit);

    private async Task<IReadOnlyList<ChatMessage>> QueryAsync(string sql, params object[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new() { Value = value });
        }

        var result = new List<ChatMessage>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add(new ChatMessage(
                Id: reader.GetGuid(0).ToString(),
                ChannelId: reader.GetString(1),
                Seq: reader.GetInt64(2),
                AuthorId: reader.GetString(3),
                Content: reader.GetString(4),
                Nonce: reader.IsDBNull(5) ? null : reader.GetString(5),
                ReplyToId: reader.IsDBNull(6) ? null : reader.GetGuid(6).ToString(),
                CreatedAt: reader.GetFieldValue<DateTimeOffset>(7),
                EditedAt: reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8)));
        }

        return result;
    }
}
