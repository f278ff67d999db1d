using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Presence;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// <c>RequestGuildMembers</c>, answered in <see cref="GuildMembersChunk"/> events to the calling
/// connection: a name-prefix query or a list of user ids in one chunk (at most
/// <see cref="GuildLimits.MaxQueriedMembers"/>), or the whole list, paged from the server's grain
/// 1,000 members at a time, each page one chunk.
/// </summary>
public static class GuildMemberRequests
{
    /// <summary>The longest nonce a request may carry (Discord's limit).</summary>
    public const int MaxNonceLength = 32;

    /// <param name="presencesOf">The presence of each of up to 100 members (the hub's charged lookup).</param>
    /// <param name="drained">Completes when the connection has written what was queued for it: the next chunk waits for it.</param>
    public static async Task SendAsync(
        IGuildGrain guild, string guildId, Caller caller, IChatClient connection,
        string? query, string[]? userIds, int limit, bool presences, string? nonce,
        Func<IReadOnlyList<string>, Task<IReadOnlyList<PresenceInfo>>> presencesOf, Func<Task> drained)
    {
        if (nonce is { Length: > MaxNonceLength })
        {
            throw new ChatException(ErrorCodes.InvalidArgument, $"A nonce is at most {MaxNonceLength} characters.");
        }

        if (userIds is { Length: > 0 } || !string.IsNullOrEmpty(query))
        {
            await SendQueriedAsync(guild, guildId, caller, connection, query, userIds, limit, presences, nonce, presencesOf);
            return;
        }

        if (presences)
        {
            // A full list may be 500,000 members; presence for each is what GetPresence pages for.
            throw new ChatException(ErrorCodes.InvalidArgument, "Presences come only with a query or user ids; use GetPresence for the full list.");
        }

        await SendFullListAsync(guild, guildId, caller, connection, nonce, drained);
    }

    private static async Task SendQueriedAsync(
        IGuildGrain guild, string guildId, Caller caller, IChatClient connection,
        string? query, string[]? userIds, int limit, bool presences, string? nonce,
        Func<IReadOnlyList<string>, Task<IReadOnlyList<PresenceInfo>>> presencesOf)
    {
        if (userIds is { Length: > GuildLimits.MaxQueriedMembers })
        {
            throw new ChatException(ErrorCodes.InvalidArgument, $"Ask for at most {GuildLimits.MaxQueriedMembers} user ids at a time.");
        }

        if (query is { Length: > GuildLimits.MaxNameLength })
        {
            throw new ChatException(ErrorCodes.InvalidArgument, $"A query is at most {GuildLimits.MaxNameLength} characters.");
        }

        IReadOnlyList<string>? ids = userIds is { Length: > 0 } ? userIds.Select(id => Ids.Require(id, "userIds")).Distinct().ToArray() : null;
        var page = await guild.QueryMembers(caller, ids is null ? query : null, ids,
            limit <= 0 ? GuildLimits.MaxQueriedMembers : Math.Min(limit, GuildLimits.MaxQueriedMembers));
        var found = presences ? await presencesOf(page.Members.Select(member => member.UserId).ToArray()) : null;
        await connection.GuildMembersChunk(new GuildMembersChunk(guildId, page.Members, 0, 1, page.NotFound, found, nonce));
    }

    /// <summary>
    /// Page after page in user id order. <c>chunkCount</c> is the count the member total promises; a
    /// page is sent once the next is read, so the last chunk says it is the last (its
    /// <c>chunkCount</c> is its index + 1) even if members joined or left during the listing.
    /// </summary>
    private static async Task SendFullListAsync(IGuildGrain guild, string guildId, Caller caller, IChatClient connection, string? nonce, Func<Task> drained)
    {
        var page = await guild.ListMembers(caller, null, GuildLimits.MaxMembersPerChunk);
        var promised = Math.Max(1, (page.MemberCount + GuildLimits.MaxMembersPerChunk - 1) / GuildLimits.MaxMembersPerChunk);
        for (var index = 0; ; index++)
        {
            var next = page.Members.Count >= GuildLimits.MaxMembersPerChunk
                ? await guild.ListMembers(caller, page.Members[^1].UserId, GuildLimits.MaxMembersPerChunk)
                : null;
            var last = next is null || next.Members.Count == 0;
            var count = last ? index + 1 : Math.Max(promised, index + 2);
            // One chunk in the connection's outbox at a time: 1,000 members are about 150 KB of JSON,
            // and two queued at once would pass its 256 KB limit and close it as a slow consumer.
            await drained();
            await connection.GuildMembersChunk(new GuildMembersChunk(guildId, page.Members, index, count, [], null, nonce));
            if (last)
            {
                return;
            }

            page = next!;
        }
    }
}
