using Cryb.Guilds;

namespace Cryb.Grains.Guilds;

/// <summary>
/// The server as one member sees it (<see cref="GuildState"/>, what a create or join answers): the
/// channels they can view, and every member unless the server is large.
/// </summary>
internal sealed class GuildStateBuilder(string guildId, IGuildStore store)
{
    public async Task<GuildState> ForAsync(GuildRecord guild, GuildInfo info, GuildMember member)
    {
        var accessOf = guild.AccessOfEach(guildId);
        var channels = guild.OrderedChannels().Where(c => GuildPermissions.CanView(accessOf(c), member.UserId, member.RoleIds)).ToArray();
        var large = info.MemberCount > GuildLimits.LargeThreshold;
        var members = large ? [member] : await store.ListMembersAsync(guildId, null, GuildLimits.LargeThreshold);
        return new GuildState(info, guild.OrderedRoles(), channels, member, members, large);
    }
}
