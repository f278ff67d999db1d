using Cryb.Grains.Storage;
using Cryb.Guilds;

namespace Cryb.Grains.Guilds;

/// <summary>
/// The guild store as grains see it: every command through the <see cref="StorageGuard"/> (reads
/// run once more after a broken connection, writes only when the failure proves they took no
/// effect), and a storage failure that remains is refused as <c>storage_unavailable</c>.
/// </summary>
public sealed class ResilientGuildStore(PostgresGuildStore inner, StorageGuard guard) : IGuildStore
{
    public Task<int> CountMembersAsync(string guildId) =>
        guard.ReadAsync(() => inner.CountMembersAsync(guildId), guildId);

    public Task<long> GetLatestMemberVersionAsync(string guildId) =>
        guard.ReadAsync(() => inner.GetLatestMemberVersionAsync(guildId), guildId);

    public Task<InviteUse> AddMemberAsync(string guildId, GuildMember member, string? inviteCode, DateTimeOffset now) =>
        guard.WriteAsync(() => inner.AddMemberAsync(guildId, member, inviteCode, now), guildId);

    public Task<string?> FindHeirAsync(string guildId, string leavingUserId, IReadOnlyList<string> rolesHighestFirst) =>
        guard.ReadAsync(() => inner.FindHeirAsync(guildId, leavingUserId, rolesHighestFirst), guildId);

    public Task<GuildMember?> GetMemberAsync(string guildId, string userId) =>
        guard.ReadAsync(() => inner.GetMemberAsync(guildId, userId), guildId);

    public Task<IReadOnlyList<GuildMember>> GetMembersAsync(string guildId, IReadOnlyCollection<string> userIds) =>
        guard.ReadAsync(() => inner.GetMembersAsync(guildId, userIds), guildId);

    public Task UpdateMemberAsync(string guildId, GuildMember member) =>
        guard.WriteAsync(() => inner.UpdateMemberAsync(guildId, member), guildId);

    public Task<bool> RemoveMemberAsync(string guildId, string userId) =>
        guard.WriteAsync(() => inner.RemoveMemberAsync(guildId, userId), guildId);

    public Task<IReadOnlyList<GuildMember>> ListMembersAsync(string guildId, string? afterUserId, int limit) =>
        guard.ReadAsync(() => inner.ListMembersAsync(guildId, afterUserId, limit), guildId);

    public Task<IReadOnlyList<GuildMember>> QueryMembersAsync(string guildId, string prefix, int limit) =>
        guard.ReadAsync(() => inner.QueryMembersAsync(guildId, prefix, limit), guildId);

    public Task<IReadOnlyList<string>> ImportMembersAsync(string guildId, IReadOnlyList<GuildMember> members) =>
        guard.WriteAsync(() => inner.ImportMembersAsync(guildId, members), guildId);

    public Task AddMissingMembersAsync(string guildId, IReadOnlyList<GuildMember> members) =>
        guard.RepeatableWriteAsync(() => inner.AddMissingMembersAsync(guildId, members), guildId);

    public Task RemoveRoleEverywhereAsync(string guildId, string roleId) =>
        guard.WriteAsync(() => inner.RemoveRoleEverywhereAsync(guildId, roleId), guildId);

    public Task<bool> IsBannedAsync(string guildId, string userId) =>
        guard.ReadAsync(() => inner.IsBannedAsync(guildId, userId), guildId);

    // An upsert: the same values again.
    public Task AddBanAsync(string guildId, GuildBan ban) =>
        guard.RepeatableWriteAsync(() => inner.AddBanAsync(guildId, ban), guildId);

    public Task<bool> RemoveBanAsync(string guildId, string userId) =>
        guard.WriteAsync(() => inner.RemoveBanAsync(guildId, userId), guildId);

    public Task<IReadOnlyList<GuildBan>> ListBansAsync(string guildId, string? afterUserId, int limit) =>
        guard.ReadAsync(() => inner.ListBansAsync(guildId, afterUserId, limit), guildId);

    public Task AddInviteAsync(GuildInvite invite) =>
        guard.WriteAsync(() => inner.AddInviteAsync(invite), invite.GuildId);

    public Task<StoredInvite?> GetInviteAsync(string code) =>
        guard.ReadAsync(() => inner.GetInviteAsync(code), null);

    public Task<IReadOnlyList<GuildInvite>> ListOpenInvitesAsync(string guildId, DateTimeOffset now) =>
        guard.ReadAsync(() => inner.ListOpenInvitesAsync(guildId, now), guildId);

    public Task<bool> RevokeInviteAsync(string guildId, string code) =>
        guard.WriteAsync(() => inner.RevokeInviteAsync(guildId, code), guildId);

    public Task DeleteGuildAsync(string guildId) =>
        guard.WriteAsync(() => inner.DeleteGuildAsync(guildId), guildId);
}
