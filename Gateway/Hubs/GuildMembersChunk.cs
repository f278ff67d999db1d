using Cryb.Guilds;
using Cryb.Presence;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// One chunk of the answer to <c>RequestGuildMembers</c>: at most 1,000 members; the last chunk has
/// <see cref="ChunkIndex"/> = <see cref="ChunkCount"/> - 1. <see cref="NotFound"/> lists requested
/// user ids that are not members; <see cref="Presences"/> is set only when asked for (query or
/// user-id requests); <see cref="Nonce"/> is the request's, echoed.
/// </summary>
public sealed record GuildMembersChunk(
    string GuildId,
    IReadOnlyList<GuildMember> Members,
    int ChunkIndex,
    int ChunkCount,
    IReadOnlyList<string> NotFound,
    IReadOnlyList<PresenceInfo>? Presences,
    string? Nonce);
