using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Users;

namespace Cryb.Grains.Guilds;

/// <summary>
/// The server lists of the users a server adds and removes, kept in step with its member rows
/// (each user grain keeps its servers and roles, for its <c>Ready</c>). Services have no user
/// grain: nobody connects as them.
/// </summary>
internal sealed class GuildUsers(IGrainFactory grains)
{
    public static bool IsUser(string memberId) => !memberId.StartsWith(Caller.ServicePrefix, StringComparison.Ordinal);

    /// <summary>
    /// Refuses a user already in <see cref="GuildLimits.MaxGuildsPerUser"/> servers. Checked before
    /// the row is added; concurrent joins of one user to different servers can each pass.
    /// </summary>
    public async Task RequireRoomAsync(string memberId)
    {
        if (IsUser(memberId) && !await User(memberId).HasRoomForGuild())
        {
            throw new ChatException(ErrorCodes.TooManyGuilds, $"A user may be in {GuildLimits.MaxGuildsPerUser} servers; leave one first.");
        }
    }

    /// <summary>The name a new member is listed and queried under: their display name (a service's member id).</summary>
    public async Task<string> DisplayNameAsync(string memberId) =>
        IsUser(memberId) ? await User(memberId).GetDisplayName() : memberId;

    public Task SetAsync(string guildId, GuildMember member) =>
        IsUser(member.UserId) ? User(member.UserId).SetGuild(new GuildMembership(guildId, member.RoleIds, member.Version)) : Task.CompletedTask;

    public Task RemoveAsync(string guildId, string memberId, string reason) =>
        IsUser(memberId) ? User(memberId).RemoveGuild(guildId, reason) : Task.CompletedTask;

    private IUserGrain User(string userId) => grains.GetGrain<IUserGrain>(userId);
}
