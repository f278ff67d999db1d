using Cryb.Errors;
using Cryb.Guilds;

namespace Cryb.Grains.Guilds;

/// <summary>
/// The pages of a server's member rows its members read: some by user id or name prefix, or the
/// full list in user id order, whose listings are rate limited (<see cref="MemberListings"/>).
/// Each page carries the member count as of its reading.
/// </summary>
internal sealed class MemberPages(string guildId, IGuildStore store, GuildMembers members, TimeProvider time)
{
    private readonly MemberListings _listings = new(time);

    /// <summary>The rows of <paramref name="userIds"/> (and which are no members) if given, else the rows whose name starts with <paramref name="query"/>.</summary>
    public async Task<GuildMemberPage> QueryAsync(string? query, IReadOnlyList<string>? userIds, int limit)
    {
        limit = Math.Clamp(limit, 1, GuildLimits.MaxQueriedMembers);
        if (userIds is not null)
        {
            var wanted = userIds.Distinct().ToArray();
            if (wanted.Length > GuildLimits.MaxQueriedMembers || !wanted.All(GuildRules.IsMemberId))
            {
                throw new ChatException(ErrorCodes.InvalidArgument, $"At most {GuildLimits.MaxQueriedMembers} valid user ids.");
            }

            var found = await store.GetMembersAsync(guildId, wanted);
            return new GuildMemberPage(found, wanted.Except(found.Select(m => m.UserId)).ToArray(), members.Count);
        }

        if (query is null || query.Length > GuildLimits.MaxNameLength)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "Query members by a name prefix or by user ids.");
        }

        return new GuildMemberPage(await store.QueryMembersAsync(guildId, query, limit), [], members.Count);
    }

    /// <summary>A page of the full list for <paramref name="memberId"/>: the first starts a listing, later ones belong to it.</summary>
    public async Task<GuildMemberPage> ListAsync(string memberId, string? afterUserId, int limit)
    {
        if (afterUserId is null)
        {
            _listings.Start(memberId);
        }
        else
        {
            _listings.RequireStarted(memberId);
        }

        var page = await store.ListMembersAsync(guildId, afterUserId, Math.Clamp(limit, 1, GuildLimits.MaxMembersPerChunk));
        return new GuildMemberPage(page, [], members.Count);
    }
}
