using Cryb.Voice;
using Npgsql;

namespace Cryb.Grains.Voice;

/// <summary>The <see cref="IVoiceStore"/> on the <c>voice_states</c> table (Schema/Migrations/0005_voice.sql).</summary>
public sealed class PostgresVoiceStore(NpgsqlDataSource dataSource) : IVoiceStore
{
    private const string Columns = "user_id, guild_id, channel_id, session_id, connection_id, self_mute, self_deaf, self_video, self_stream, mute, deaf, suppress, version, updated_at";

    public async Task<IReadOnlyList<StoredVoiceState>> ListAsync(string guildId)
    {
        await using var command = Command($"SELECT {Columns} FROM voice_states WHERE guild_id = $1", guildId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<StoredVoiceState>();
        while (await reader.ReadAsync())
        {
            var state = new VoiceState(
                GuildId: reader.GetString(1),
                ChannelId: reader.GetString(2),
                UserId: reader.GetString(0),
                SessionId: reader.GetString(3),
                SelfMute: reader.GetBoolean(5),
                SelfDeaf: reader.GetBoolean(6),
                SelfVideo: reader.GetBoolean(7),
                SelfStream: reader.GetBoolean(8),
                Mute: reader.GetBoolean(9),
                Deaf: reader.GetBoolean(10),
                Suppress: reader.GetBoolean(11),
                Version: reader.GetInt64(12));
            rows.Add(new StoredVoiceState(state, reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(13)));
        }

        return rows;
    }

    public async Task UpsertAsync(StoredVoiceState row)
    {
        var state = row.State;
        await using var command = Command($"""
            INSERT INTO voice_states ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            ON CONFLICT (user_id) DO UPDATE SET
                guild_id = excluded.guild_id, channel_id = excluded.channel_id, session_id = excluded.session_id,
                connection_id = excluded.connection_id, self_mute = excluded.self_mute, self_deaf = excluded.self_deaf,
                self_video = excluded.self_video, self_stream = excluded.self_stream, mute = excluded.mute,
                deaf = excluded.deaf, suppress = excluded.suppress, version = excluded.version, updated_at = excluded.updated_at
            """,
            state.UserId, state.GuildId, state.ChannelId ?? throw new ArgumentException("A stored voice state has a channel.", nameof(row)),
            state.SessionId, row.ConnectionId, state.SelfMute, state.SelfDeaf, state.SelfVideo, state.SelfStream,
            state.Mute, state.Deaf, state.Suppress, state.Version, row.UpdatedAt);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<bool> DeleteAsync(string guildId, string userId, string sessionId)
    {
        await using var command = Command("DELETE FROM voice_states WHERE user_id = $1 AND guild_id = $2 AND session_id = $3", userId, guildId, sessionId);
        return await command.ExecuteNonQueryAsync() == 1;
    }

    public async Task WriteAsync(string guildId, IReadOnlyList<StoredVoiceState> rows, IReadOnlyList<VoiceSessionRef> ends)
    {
        if (rows.Count == 0 && ends.Count == 0)
        {
            return;
        }

        // One statement, so one commit (a WAL flush, about 2 ms here) for the whole batch: the
        // deletes in a data-modifying CTE (run whether or not the INSERT reads it), the rows from
        // arrays. The batch names each user once, so no row is both deleted and written.
        await using var command = Command($"""
            WITH ended AS (
                DELETE FROM voice_states v USING unnest($1::text[], $2::text[]) AS e(user_id, session_id)
                WHERE v.user_id = e.user_id AND v.session_id = e.session_id AND v.guild_id = $3
            )
            INSERT INTO voice_states ({Columns})
            SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[], $10::boolean[],
                $11::boolean[], $12::boolean[], $13::boolean[], $14::boolean[], $15::boolean[], $16::bigint[], $17::timestamptz[])
            ON CONFLICT (user_id) DO UPDATE SET
                guild_id = excluded.guild_id, channel_id = excluded.channel_id, session_id = excluded.session_id,
                connection_id = excluded.connection_id, self_mute = excluded.self_mute, self_deaf = excluded.self_deaf,
                self_video = excluded.self_video, self_stream = excluded.self_stream, mute = excluded.mute,
                deaf = excluded.deaf, suppress = excluded.suppress, version = excluded.version, updated_at = excluded.updated_at
            """,
            ends.Select(end => end.UserId).ToArray(), ends.Select(end => end.SessionId).ToArray(), guildId,
            rows.Select(row => row.State.UserId).ToArray(), rows.Select(row => row.State.GuildId).ToArray(),
            rows.Select(row => row.State.ChannelId ?? throw new ArgumentException("A stored voice state has a channel.", nameof(rows))).ToArray(),
            rows.Select(row => row.State.SessionId).ToArray(), rows.Select(row => row.ConnectionId).ToArray(),
            rows.Select(row => row.State.SelfMute).ToArray(), rows.Select(row => row.State.SelfDeaf).ToArray(),
            rows.Select(row => row.State.SelfVideo).ToArray(), rows.Select(row => row.State.SelfStream).ToArray(),
            rows.Select(row => row.State.Mute).ToArray(), rows.Select(row => row.State.Deaf).ToArray(),
            rows.Select(row => row.State.Suppress).ToArray(), rows.Select(row => row.State.Version).ToArray(),
            rows.Select(row => row.UpdatedAt).ToArray());
        await command.ExecuteNonQueryAsync();
    }

    private NpgsqlCommand Command(string sql, params object[] parameters)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}
