using Cryb.Notifications;
using Cryb.Grains.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Cryb.Grains.Notifications;

/// <summary>
/// The one statement that writes notifications, run inside the transaction of what caused them
/// (a batch of messages, a reaction, a friend request): drafts the recipient's blocks or settings
/// exclude are dropped, each recipient's counter is taken under its row lock, and the rest are
/// numbered after it without gaps. It also queues a push per subscription of each recipient.
/// </summary>
internal static class NotificationStatement
{
    // Rows travel as parallel arrays, as messages do (AppendStatement). The settings are read per
    // row (two primary-key probes) and the block (one), so a draft the user silenced costs no
    // write. Counters are taken in user id order: two transactions that share recipients lock
    // them in the same order and never deadlock. A reaction adds nothing while an unread one for
    // the same message is there (collapsed); that probe walks only the user's unread ones.
    private const string Sql = """
        WITH input AS (
            SELECT * FROM unnest($1::text[], $2::uuid[], $3::smallint[], $4::text[], $5::text[], $6::text[], $7::uuid[], $8::bigint[], $9::text[], $10::timestamptz[], $11::bool[])
                WITH ORDINALITY AS t (user_id, id, kind, actor_id, guild_id, channel_id, message_id, message_seq, excerpt, created_at, scoped, ord)
        ), kept AS (
            SELECT input.* FROM input
              LEFT JOIN notification_settings cs ON input.scoped AND cs.user_id = input.user_id AND cs.scope_kind = 2 AND cs.scope_id = input.channel_id
              LEFT JOIN notification_settings gs ON input.scoped AND gs.user_id = input.user_id AND gs.scope_kind = 1 AND gs.scope_id = input.guild_id
             WHERE input.user_id <> input.actor_id
               AND NOT EXISTS (
                   SELECT 1 FROM relationships r
                    WHERE r.low_id = least(input.user_id, input.actor_id) AND r.high_id = greatest(input.user_id, input.actor_id)
                      AND (r.low_kind = 4 OR r.high_kind = 4))
               AND (NOT input.scoped OR (
                   coalesce(cs.muted_until, '-infinity') <= input.created_at
                   AND coalesce(gs.muted_until, '-infinity') <= input.created_at
                   AND CASE coalesce(cs.level, gs.level, 1) WHEN 2 THEN false WHEN 1 THEN input.kind <> 10 ELSE true END
                   AND NOT (input.kind = 2 AND (coalesce(cs.suppress_everyone, false) OR coalesce(gs.suppress_everyone, false)))
                   AND NOT (input.kind = 3 AND (coalesce(cs.suppress_roles, false) OR coalesce(gs.suppress_roles, false)))))
               AND NOT (input.kind = 6 AND EXISTS (
                   SELECT 1 FROM notification_inboxes i JOIN notifications n ON n.user_id = i.user_id AND n.seq > i.acked_seq
                    WHERE i.user_id = input.user_id AND n.kind = 6 AND n.message_id = input.message_id))
        ), counts AS (
            SELECT user_id, count(*) AS n FROM kept GROUP BY user_id
        ), bumped AS (
            INSERT INTO notification_inboxes AS i (user_id, last_seq)
            SELECT user_id, n FROM counts ORDER BY user_id
            ON CONFLICT (user_id) DO UPDATE SET last_seq = i.last_seq + excluded.last_seq
            RETURNING user_id, last_seq
        ), written AS (
            INSERT INTO notifications (user_id, seq, id, kind, actor_id, guild_id, channel_id, message_id, message_seq, excerpt, created_at)
            SELECT k.user_id, b.last_seq - c.n + row_number() OVER (PARTITION BY k.user_id ORDER BY k.ord),
                   k.id, k.kind, k.actor_id, k.guild_id, k.channel_id, k.message_id, k.message_seq, k.excerpt, k.created_at
              FROM kept k JOIN counts c ON c.user_id = k.user_id JOIN bumped b ON b.user_id = k.user_id
            RETURNING user_id, seq, id, created_at
        ), pushes AS (
            INSERT INTO push_outbox (notification_id, endpoint, user_id, user_seq, due_at)
            SELECT w.id, s.endpoint, w.user_id, w.seq, w.created_at
              FROM written w JOIN push_subscriptions s ON s.user_id = w.user_id
            ON CONFLICT DO NOTHING
        )
        SELECT id, seq FROM written
        """;

    /// <summary>
    /// Writes the drafts that pass in the open transaction and returns them as written, with their
    /// seqs; nothing (and no round trip) for none.
    /// </summary>
    public static async Task<IReadOnlyList<WrittenNotification>> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<NotificationDraft> drafts)
    {
        if (drafts.Count == 0)
        {
            return [];
        }

        await using var command = new NpgsqlCommand(Sql, connection, transaction);
        command.Parameters.Add(new() { Value = drafts.Select(d => d.UserId).ToArray() });
        command.Parameters.Add(new() { Value = drafts.Select(d => d.Id).ToArray() });
        command.Parameters.Add(new() { Value = drafts.Select(d => (short)d.Kind).ToArray() });
        command.Parameters.Add(new() { Value = drafts.Select(d => d.ActorId).ToArray() });
        command.Parameters.Add(ArrayParameters.Nullable(drafts.Select(d => d.GuildId), NpgsqlDbType.Text));
        command.Parameters.Add(ArrayParameters.Nullable(drafts.Select(d => d.ChannelId), NpgsqlDbType.Text));
        command.Parameters.Add(ArrayParameters.Nullable(drafts.Select(d => d.MessageId), NpgsqlDbType.Uuid));
        command.Parameters.Add(ArrayParameters.Nullable(drafts.Select(d => d.MessageSeq), NpgsqlDbType.Bigint));
        command.Parameters.Add(ArrayParameters.Nullable(drafts.Select(d => d.Excerpt), NpgsqlDbType.Text));
        command.Parameters.Add(new() { Value = drafts.Select(d => d.CreatedAt).ToArray() });
        command.Parameters.Add(new() { Value = drafts.Select(d => d.Scoped).ToArray() });

        var seqs = new Dictionary<Guid, long>(drafts.Count);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                seqs[reader.GetGuid(0)] = reader.GetInt64(1);
            }
        }

        return drafts.Where(d => seqs.ContainsKey(d.Id)).Select(d => new WrittenNotification(d.UserId, d.At(seqs[d.Id]))).ToArray();
    }
}
