using Cryb.Guilds;

namespace Cryb.Grains.Guilds;

/// <summary>
/// A server's members, bans and invites in PostgreSQL (the <c>guild_members</c>, <c>guild_bans</c>
/// and <c>guild_invites</c> tables): rows, so that a join writes one row however many members the
/// server has. Written only by the server's grain; read also by its channels' grains (a member's
/// roles) and the invites grain (a code's server).
/// </summary>
public interface IGuildStore
{
    /// <summary>How many members the server has.</summary>
    Task<int> CountMembersAsync(string guildId);

    /// <summary>The highest member version of the server, 0 if none: the server's grain numbers changes after it.</summary>
    Task<long> GetLatestMemberVersionAsync(string guildId);

    /// <summary>
    /// Adds the member row; false (and nothing written) if the user is already a member. With
    /// <paramref name="inviteCode"/>, the invite's use is counted in the same transaction, and the
    /// row is not added (<see cref="InviteUse.Refused"/>) if the invite is expired, revoked or used up.
    /// </summary>
    Task<InviteUse> AddMemberAsync(string guildId, GuildMember member, string? inviteCode, DateTimeOffset now);

    Task<GuildMember?> GetMemberAsync(string guildId, string userId);

    /// <summary>
    /// Who inherits the server when its owner's account goes: the member, other than
    /// <paramref name="leavingUserId"/> and service accounts, whose highest role comes first in
    /// <paramref name="rolesHighestFirst"/>, the longest-standing among equals; null when nobody is left.
    /// </summary>
    Task<string?> FindHeirAsync(string guildId, string leavingUserId, IReadOnlyList<string> rolesHighestFirst);

    /// <summary>The members among <paramref name="userIds"/>; the others are not members.</summary>
    Task<IReadOnlyList<GuildMember>> GetMembersAsync(string guildId, IReadOnlyCollection<string> userIds);

    /// <summary>Replaces the member's roles, nickname, name and version.</summary>
    Task UpdateMemberAsync(string guildId, GuildMember member);

    /// <summary>Deletes the member row; false if there was none.</summary>
    Task<bool> RemoveMemberAsync(string guildId, string userId);

    /// <summary>Members after <paramref name="afterUserId"/> in user id order.</summary>
    Task<IReadOnlyList<GuildMember>> ListMembersAsync(string guildId, string? afterUserId, int limit);

    /// <summary>Members whose name starts with <paramref name="prefix"/>, case-insensitive, in name order.</summary>
    Task<IReadOnlyList<GuildMember>> QueryMembersAsync(string guildId, string prefix, int limit);

    /// <summary>
    /// Adds these members in one statement, skipping members and banned users; returns the ids of
    /// those added. A member's first role is stored with the row (imports give none; a migrated
    /// channel's admins get its "Admins" role), any further ones are not.
    /// </summary>
    Task<IReadOnlyList<string>> ImportMembersAsync(string guildId, IReadOnlyList<GuildMember> members);

    /// <summary>
    /// Adds these members as <see cref="ImportMembersAsync"/> does, without saying which were added:
    /// running it again changes nothing, so a broken connection runs it once more.
    /// </summary>
    Task AddMissingMembersAsync(string guildId, IReadOnlyList<GuildMember> members);

    /// <summary>Takes a deleted role off every member who had it (their versions stay: the role counts for nothing once deleted).</summary>
    Task RemoveRoleEverywhereAsync(string guildId, string roleId);

    Task<bool> IsBannedAsync(string guildId, string userId);

    /// <summary>Adds or replaces the ban.</summary>
    Task AddBanAsync(string guildId, GuildBan ban);

    /// <summary>False if there was no ban.</summary>
    Task<bool> RemoveBanAsync(string guildId, string userId);

    Task<IReadOnlyList<GuildBan>> ListBansAsync(string guildId, string? afterUserId, int limit);

    Task AddInviteAsync(GuildInvite invite);

    /// <summary>The invite with this code, revoked or expired ones included (null if unknown).</summary>
    Task<StoredInvite?> GetInviteAsync(string code);

    /// <summary>The server's invites that are not revoked, expired or used up.</summary>
    Task<IReadOnlyList<GuildInvite>> ListOpenInvitesAsync(string guildId, DateTimeOffset now);

    /// <summary>False if there was no such open invite of this server.</summary>
    Task<bool> RevokeInviteAsync(string guildId, string code);

    /// <summary>Deletes every member, ban and invite row of the server.</summary>
    Task DeleteGuildAsync(string guildId);
}

/// <summary>An invite as stored, with whether it was revoked.</summary>
public sealed record StoredInvite(GuildInvite Invite, bool Revoked);

/// <summary>The outcome of <see cref="IGuildStore.AddMemberAsync"/>.</summary>
public enum InviteUse
{
    /// <summary>The member row was added (and the invite's use counted).</summary>
    Added,

    /// <summary>The user was already a member: nothing written.</summary>
    AlreadyMember,

    /// <summary>The invite is expired, revoked or used up: nothing written.</summary>
    Refused,
}
