using Cryb.Guilds;
using Npgsql;

namespace Cryb.Grains.Guilds;

/// <summary>
/// The <see cref="IGuildStore"/> on the <c>guild_members</c>, <c>guild_bans</c> and
/// <c>guild_invites</c> tables (Schema/Migrations/0004_guilds.sql). Invites come back without the
/// server's name and size, which the server's grain knows.
/// </summary>
public sealed class PostgresGuildStore(NpgsqlDataSource dataSource) : IGuildStore
{
    private const string MemberColumns = "user_id, name, nickname, role_ids, joined_at, version";
    private const string InviteColumns = "code, guild_id, created_by, max_uses, uses, expires_at, created_at, revoked";

    public async Task<int> CountMembersAsync(string guildId)
    {
        await using var command = Command("SELECT count(*) FROM guild_members WHERE guild_id = $1", guildId);
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<long> GetLatestMemberVersionAsync(string guildId)
    {
        await using var command = Command("SELECT max(version) FROM guild_members WHERE guild_id = $1", guildId);
        return await command.ExecuteScalarAsync() is long version ? version : 0;
    }

    public async Task<InviteUse> AddMemberAsync(string guildId, GuildMember member, string? inviteCode, DateTimeOffset now)
    {
        if (inviteCode is null)
        {
            await using var insert = Command($"""
                INSERT INTO guild_members ({MemberColumns}, guild_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT DO NOTHING
                """, MemberParameters(guildId, member));
            return await insert.ExecuteNonQueryAsync() == 1 ? InviteUse.Added : InviteUse.AlreadyMember;
        }

        // One statement: the member row is inserted only if the invite admits the user, and an
        // invite with a use limit counts the use only if the row is new (a member joining again
        // spends nothing). An invite without a limit is only read: the join writes the member row
        // and nothing else of the server's. Two concurrent joins on a limited invite's last use
        // serialize on its row's lock; the second sees uses = max_uses and is refused.
        await using var command = Command($"""
            WITH existing AS (
                SELECT 1 FROM guild_members WHERE guild_id = $7 AND user_id = $1
            ), valid AS (
                SELECT code, max_uses FROM guild_invites
                 WHERE code = $8 AND guild_id = $7 AND NOT revoked
                   AND (expires_at IS NULL OR expires_at > $9)
                   AND (max_uses = 0 OR uses < max_uses)
                   AND NOT EXISTS (SELECT 1 FROM existing)
            ), used AS (
                UPDATE guild_invites SET uses = uses + 1
                 WHERE code = $8 AND max_uses > 0 AND uses < max_uses AND EXISTS (SELECT 1 FROM valid)
                RETURNING code
            ), admitted AS (
                SELECT code FROM valid WHERE max_uses = 0
                UNION ALL
                SELECT code FROM used
            ), added AS (
                INSERT INTO guild_members ({MemberColumns}, guild_id)
                SELECT $1, $2, $3, $4, $5, $6, $7 FROM admitted
                ON CONFLICT DO NOTHING
                RETURNING 1
            )
            SELECT EXISTS (SELECT 1 FROM existing), EXISTS (SELECT 1 FROM added)
            """, [.. MemberParameters(guildId, member), inviteCode, now]);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return reader.GetBoolean(0) ? InviteUse.AlreadyMember
            : reader.GetBoolean(1) ? InviteUse.Added
            : InviteUse.Refused;
    }

    public async Task<string?> FindHeirAsync(string guildId, string leavingUserId, IReadOnlyList<string> rolesHighestFirst)
    {
        // A member's rank is the place of their highest role in the list (none: last); one pass over
        // the server's rows, which only an owner's account deletion asks for.
        await using var command = Command($"""
            SELECT user_id FROM guild_members
             WHERE guild_id = $1 AND user_id <> $2 AND NOT starts_with(user_id, '{Identity.Caller.ServicePrefix}')
             ORDER BY COALESCE((SELECT min(array_position($3::text[], role_id)) FROM unnest(role_ids) AS role_id), 2147483647), joined_at, user_id
             LIMIT 1
            """, guildId, leavingUserId, rolesHighestFirst.ToArray());
        return await command.ExecuteScalarAsync() as string;
    }

    public async Task<GuildMember?> GetMemberAsync(string guildId, string userId)
    {
        var found = await ReadMembersAsync($"SELECT {MemberColumns} FROM guild_members WHERE guild_id = $1 AND user_id = $2", guildId, userId);
        return found.Count > 0 ? found[0] : null;
    }

    public Task<IReadOnlyList<GuildMember>> GetMembersAsync(string guildId, IReadOnlyCollection<string> userIds) =>
        ReadMembersAsync(
            $"SELECT {MemberColumns} FROM guild_members WHERE guild_id = $1 AND user_id = ANY($2) ORDER BY user_id",
            guildId, userIds.ToArray());

    public async Task UpdateMemberAsync(string guildId, GuildMember member)
    {
        await using var command = Command("""
            UPDATE guild_members SET name = $3, nickname = $4, role_ids = $5, version = $6
             WHERE guild_id = $1 AND user_id = $2
            """,
            guildId, member.UserId, member.Name, member.Nickname is { } nickname ? nickname : DBNull.Value, member.RoleIds.ToArray(), member.Version);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<bool> RemoveMemberAsync(string guildId, string userId)
    {
        await using var command = Command("DELETE FROM guild_members WHERE guild_id = $1 AND user_id = $2", guildId, userId);
        return await command.ExecuteNonQueryAsync() > 0;
    }

    public Task<IReadOnlyList<GuildMember>> ListMembersAsync(string guildId, string? afterUserId, int limit) =>
        // Along the primary key (guild_id, user_id): a page costs the same at the millionth member.
        ReadMembersAsync(
            $"SELECT {MemberColumns} FROM guild_members WHERE guild_id = $1 AND user_id > $2 ORDER BY user_id LIMIT $3",
            guildId, afterUserId ?? "", limit);

    public Task<IReadOnlyList<GuildMember>> QueryMembersAsync(string guildId, string prefix, int limit) =>
        // The pattern's wildcards in the query are escaped, so "a_" matches only names starting "a_";
        // lower(name) LIKE 'x%' with text_pattern_ops uses the guild_members_name index.
        ReadMembersAsync($"""
            SELECT {MemberColumns} FROM guild_members
             WHERE guild_id = $1 AND lower(name) LIKE $2
             ORDER BY lower(name), user_id LIMIT $3
            """, guildId, EscapeLike(prefix.ToLowerInvariant()) + "%", limit);

    public async Task<IReadOnlyList<string>> ImportMembersAsync(string guildId, IReadOnlyList<GuildMember> members)
    {
        await using var command = Command($"""
            INSERT INTO guild_members ({MemberColumns}, guild_id)
            SELECT m.user_id, m.name, NULL, CASE WHEN m.role_id IS NULL THEN ARRAY[]::text[] ELSE ARRAY[m.role_id] END, m.joined_at, m.version, $1
              FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::bigint[], $6::text[]) AS m (user_id, name, joined_at, version, role_id)
             WHERE NOT EXISTS (SELECT 1 FROM guild_bans b WHERE b.guild_id = $1 AND b.user_id = m.user_id)
            ON CONFLICT DO NOTHING
            RETURNING user_id
            """,
            guildId,
            members.Select(m => m.UserId).ToArray(),
            members.Select(m => m.Name).ToArray(),
            members.Select(m => m.JoinedAt).ToArray(),
            members.Select(m => m.Version).ToArray(),
            members.Select(m => m.RoleIds.Count > 0 ? m.RoleIds[0] : null).ToArray());
        var added = new List<string>(members.Count);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            added.Add(reader.GetString(0));
        }

        return added;
    }

    public Task AddMissingMembersAsync(string guildId, IReadOnlyList<GuildMember> members) =>
        ImportMembersAsync(guildId, members);

    public async Task RemoveRoleEverywhereAsync(string guildId, string roleId)
    {
        await using var command = Command(
            "UPDATE guild_members SET role_ids = array_remove(role_ids, $2) WHERE guild_id = $1 AND $2 = ANY(role_ids)", guildId, roleId);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<bool> IsBannedAsync(string guildId, string userId)
    {
        await using var command = Command("SELECT EXISTS (SELECT 1 FROM guild_bans WHERE guild_id = $1 AND user_id = $2)", guildId, userId);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    public async Task AddBanAsync(string guildId, GuildBan ban)
    {
        await using var command = Command("""
            INSERT INTO guild_bans (guild_id, user_id, banned_by, reason, banned_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (guild_id, user_id) DO UPDATE SET banned_by = excluded.banned_by, reason = excluded.reason, banned_at = excluded.banned_at
            """, guildId, ban.UserId, ban.BannedBy, ban.Reason, ban.BannedAt);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<bool> RemoveBanAsync(string guildId, string userId)
    {
        await using var command = Command("DELETE FROM guild_bans WHERE guild_id = $1 AND user_id = $2", guildId, userId);
        return await command.ExecuteNonQueryAsync() > 0;
    }

    public async Task<IReadOnlyList<GuildBan>> ListBansAsync(string guildId, string? afterUserId, int limit)
    {
        await using var command = Command(
            "SELECT user_id, banned_by, reason, banned_at FROM guild_bans WHERE guild_id = $1 AND user_id > $2 ORDER BY user_id LIMIT $3",
            guildId, afterUserId ?? "", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var bans = new List<GuildBan>();
        while (await reader.ReadAsync())
        {
            bans.Add(new GuildBan(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return bans;
    }

    public async Task AddInviteAsync(GuildInvite invite)
    {
        await using var command = Command($"""
            INSERT INTO guild_invites ({InviteColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, false)
            """,
            invite.Code, invite.GuildId, invite.CreatedBy, invite.MaxUses, invite.Uses,
            invite.ExpiresAt is { } expires ? expires : DBNull.Value, invite.CreatedAt);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<StoredInvite?> GetInviteAsync(string code)
    {
        var found = await ReadInvitesAsync($"SELECT {InviteColumns} FROM guild_invites WHERE code = $1", code);
        return found.Count > 0 ? found[0] : null;
    }

    public async Task<IReadOnlyList<GuildInvite>> ListOpenInvitesAsync(string guildId, DateTimeOffset now) =>
        (await ReadInvitesAsync($"""
            SELECT {InviteColumns} FROM guild_invites
             WHERE guild_id = $1 AND NOT revoked AND (expires_at IS NULL OR expires_at > $2) AND (max_uses = 0 OR uses < max_uses)
             ORDER BY created_at, code
            """, guildId, now))
        .Select(stored => stored.Invite).ToArray();

    public async Task<bool> RevokeInviteAsync(string guildId, string code)
    {
        await using var command = Command(
            "UPDATE guild_invites SET revoked = true WHERE code = $1 AND guild_id = $2 AND NOT revoked", code, guildId);
        return await command.ExecuteNonQueryAsync() > 0;
    }

    public async Task DeleteGuildAsync(string guildId)
    {
        await using var batch = dataSource.CreateBatch();
        foreach (var table in new[] { "guild_members", "guild_bans", "guild_invites" })
        {
            var command = new NpgsqlBatchCommand($"DELETE FROM {table} WHERE guild_id = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = guildId });
            batch.BatchCommands.Add(command);
        }

        // A batch without an explicit transaction runs in one implicit transaction: all or nothing.
        await batch.ExecuteNonQueryAsync();
    }

    private static object[] MemberParameters(string guildId, GuildMember member) =>
    [
        member.UserId, member.Name, member.Nickname is { } nickname ? nickname : DBNull.Value,
        member.RoleIds.ToArray(), member.JoinedAt, member.Version, guildId,
    ];

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    private async Task<IReadOnlyList<GuildMember>> ReadMembersAsync(string sql, params object[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var members = new List<GuildMember>();
        while (await reader.ReadAsync())
        {
            members.Add(new GuildMember(
                UserId: reader.GetString(0),
                Name: reader.GetString(1),
                Nickname: reader.IsDBNull(2) ? null : reader.GetString(2),
                RoleIds: reader.GetFieldValue<string[]>(3),
                JoinedAt: reader.GetFieldValue<DateTimeOffset>(4),
                Version: reader.GetInt64(5)));
        }

        return members;
    }

    private async Task<IReadOnlyList<StoredInvite>> ReadInvitesAsync(string sql, params object[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var invites = new List<StoredInvite>();
        while (await reader.ReadAsync())
        {
            var invite = new GuildInvite(
                Code: reader.GetString(0),
                GuildId: reader.GetString(1),
                GuildName: "",
                CreatedBy: reader.GetString(2),
                MaxUses: reader.GetInt32(3),
                Uses: reader.GetInt32(4),
                ExpiresAt: reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                CreatedAt: reader.GetFieldValue<DateTimeOffset>(6),
                MemberCount: 0);
            invites.Add(new StoredInvite(invite, reader.GetBoolean(7)));
        }

        return invites;
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
