namespace Cryb.Guilds;

/// <summary>
/// A standalone channel as it stood before it moved into a server of its own (its id is the
/// server's): what <see cref="IGuildGrain.AdoptStandaloneChannel"/> turns into the server's record,
/// member rows and ban rows. Members that are services (<c>service:name</c>) are listed too.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.StandaloneChannel")]
public sealed record StandaloneChannel(
    [property: Id(0)] string ChannelId,
    [property: Id(1)] string Name,
    [property: Id(2)] string Topic,
    [property: Id(3)] bool IsPrivate,
    [property: Id(4)] string OwnerId,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] IReadOnlyList<string> MemberIds,
    [property: Id(7)] IReadOnlyList<string> AdminIds,
    [property: Id(8)] IReadOnlyList<string> BannedIds);

/// <summary>
/// The server that adopted a standalone channel: the channel's place and permission inputs, and
/// the membership each of the channel's members now has (the admins' role, the version their rows
/// were written at), which the channel's grain hands to each member's user grain.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.AdoptedChannel")]
public sealed record AdoptedChannel(
    [property: Id(0)] GuildChannelAccess Channel,
    [property: Id(1)] string? AdminRoleId,
    [property: Id(2)] long MemberVersion)
{
    /// <summary>The membership of one of the channel's members, as their user grain lists it.</summary>
    public GuildMembership MembershipOf(string memberId, bool isAdmin) =>
        new(Channel.Channel.GuildId, isAdmin && AdminRoleId is { } admins ? [admins] : [], MemberVersion);
}
