using Cryb.Grains.Notifications;
using Cryb.Messages;
using Cryb.Grains.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Cryb.Grains.Messages;

/// <summary>
/// The one statement that stores new messages: the appends of many channels in one round trip and
/// one commit, however many rows and channels it holds.
/// </summary>
internal static class AppendStatement
{
    // Rows travel as parallel arrays (unnest), so the text is the same for every batch and is
    // prepared once; each row names its append by number, and the channel ids and seqs travel once
    // per append. A row whose author already stored its nonce is a resend: the probe of the nonce
    // index drops it before row_number() hands out seqs, so each channel's rows stay gapless without
    // a lookup first. Seqs are numbered per append, not per channel, so two appends after the same
    // seq of one channel collide on the primary key as they would in two transactions. The probe is
    // a LATERAL subquery with LIMIT so that every plan, generic ones included, makes it one index
    // lookup per row: a plain NOT EXISTS may be planned as a hash over all of the channel's messages,
    // which grows with the channel. Mentions are a text[] per row and PostgreSQL arrays are
    // rectangular, so they travel flattened and each row takes its slice (an upper bound below the
    // lower one gives '{}').
    private const string Sql = """
        WITH input AS (
            SELECT * FROM unnest($3::int[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::uuid[], $9::timestamptz[], $10::text[], $11::text[], $12::int[], $13::int[])
                WITH ORDINALITY AS t (append, id, author_id, content, nonce, reply_to_id, created_at, reply_author_id, reply_excerpt, mentions_from, mentions_to, ord)
        ), fresh AS (
            SELECT input.*, ($1::text[])[append] AS channel_id,
                   ($2::bigint[])[append] + row_number() OVER (PARTITION BY append ORDER BY ord) AS seq
              FROM input
              LEFT JOIN LATERAL (
                   SELECT true AS taken FROM messages stored
                    WHERE stored.channel_id = ($1::text[])[input.append] AND stored.author_id = input.author_id AND stored.nonce = input.nonce
                    LIMIT 1) resent ON true
             WHERE resent.taken IS NULL
        )
        INSERT INTO messages (id, channel_id, seq, author_id, content, nonce, reply_to_id, created_at, edited_at, revision_seq, deleted, mentions, reply_author_id, reply_excerpt)
        SELECT id, channel_id, seq, author_id, content, nonce, reply_to_id, created_at, NULL, seq, false,
               ($14::text[])[mentions_from:mentions_to], reply_author_id, reply_excerpt
          FROM fresh
        RETURNING id, seq
        """;

    /// <summary>
    /// Stores every append in one transaction (all or none), with the notifications they cause, and
    /// returns, for each, the messages stored with their seqs, in seq order, and the notifications
    /// written: resends (a nonce their author already stored) are left out, take no seq and notify
    /// nobody. Throws <see cref="SeqAlreadyTakenException"/> if a seq or nonce of any of the
    /// channels was already stored.
    /// </summary>
    public static async Task<StoredAppend[]> ExecuteAsync(NpgsqlDataSource dataSource, IReadOnlyList<ChannelAppend> appends)
    {
        if (appends.All(append => append.Notifications.Count == 0))
        {
            // One statement is its own transaction: plain sends pay no BEGIN and COMMIT round trips.
            await using var alone = dataSource.CreateCommand(Sql);
            return Stored(appends, await AppendAsync(alone, appends), []);
        }

        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(Sql, connection, transaction);
        var seqs = await AppendAsync(command, appends);
        var drafts = appends.SelectMany(append => append.Notifications)
            .Where(draft => draft.MessageId is { } id && seqs.ContainsKey(id))
            .Select(draft => draft with { MessageSeq = seqs[draft.MessageId!.Value] })
            .ToArray();
        var written = await NotificationStatement.ExecuteAsync(connection, transaction, drafts);
        await transaction.CommitAsync();
        return Stored(appends, seqs, written);
    }

    private static async Task<Dictionary<Guid, long>> AppendAsync(NpgsqlCommand command, IReadOnlyList<ChannelAppend> appends)
    {
        var messages = appends.SelectMany(append => append.Messages).ToArray();
        var rowAppend = new int[messages.Length];
        var mentions = new List<string>();
        var mentionsFrom = new int[messages.Length];
        var mentionsTo = new int[messages.Length];
        var row = 0;
        for (var a = 0; a < appends.Count; a++)
        {
            foreach (var message in appends[a].Messages)
            {
                rowAppend[row] = a + 1; // PostgreSQL arrays count from 1
                mentionsFrom[row] = mentions.Count + 1;
                mentions.AddRange(message.Mentions);
                mentionsTo[row] = mentions.Count;
                row++;
            }
        }

        command.Parameters.Add(new() { Value = appends.Select(append => append.ChannelId).ToArray() });
        command.Parameters.Add(new() { Value = appends.Select(append => append.AfterSeq).ToArray() });
        command.Parameters.Add(new() { Value = rowAppend });
        command.Parameters.Add(new() { Value = messages.Select(m => Guid.Parse(m.Id)).ToArray() });
        command.Parameters.Add(new() { Value = messages.Select(m => m.AuthorId).ToArray() });
        command.Parameters.Add(new() { Value = messages.Select(m => m.Content).ToArray() });
        command.Parameters.Add(ArrayParameters.Nullable(messages.Select(m => m.Nonce), NpgsqlDbType.Text));
        command.Parameters.Add(ArrayParameters.Nullable(messages.Select(m => m.ReplyToId is { } reply ? Guid.Parse(reply) : (Guid?)null), NpgsqlDbType.Uuid));
        command.Parameters.Add(new() { Value = messages.Select(m => m.CreatedAt).ToArray() });
        command.Parameters.Add(ArrayParameters.Nullable(messages.Select(m => m.ReplyTo?.AuthorId), NpgsqlDbType.Text));
        command.Parameters.Add(ArrayParameters.Nullable(messages.Select(m => m.ReplyTo?.Excerpt), NpgsqlDbType.Text));
        command.Parameters.Add(new() { Value = mentionsFrom });
        command.Parameters.Add(new() { Value = mentionsTo });
        command.Parameters.Add(new() { Value = mentions.ToArray() });

        var seqs = new Dictionary<Guid, long>(messages.Length);
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                seqs[reader.GetGuid(0)] = reader.GetInt64(1);
            }
        }
        catch (PostgresException ex) when (PostgresMessageStore.IsTakenByAnotherActivation(ex))
        {
            throw appends.Count == 1
                ? new SeqAlreadyTakenException(appends[0].ChannelId, appends[0].AfterSeq + 1, ex)
                : new SeqAlreadyTakenException(appends.Select(append => append.ChannelId).ToArray(), ex);
        }

        return seqs;
    }

    private static StoredAppend[] Stored(IReadOnlyList<ChannelAppend> appends, Dictionary<Guid, long> seqs, IReadOnlyList<WrittenNotification> written)
    {
        var notified = written.ToLookup(n => n.Notification.MessageId);
        return appends.Select(append => new StoredAppend(
                append.Messages
                    .Select(m => seqs.TryGetValue(Guid.Parse(m.Id), out var seq) ? m with { Seq = seq, RevisionSeq = seq } : null)
                    .OfType<ChatMessage>()
                    .OrderBy(m => m.Seq)
                    .ToArray(),
                append.Messages.SelectMany(m => notified[m.Id]).ToArray()))
            .ToArray();
    }
}
