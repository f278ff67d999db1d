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
