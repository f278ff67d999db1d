using Cryb.Guilds;
using Cryb.Users;

namespace Cryb.Grains.Users;

/// <summary>The persisted state of a user: profile, channel and server memberships, read positions.</summary>
[GenerateSerializer, Alias("cryb.UserState")]
public sealed class UserState
{
    [Id(0)] public string DisplayName { get; set; } = "";
    [Id(1)] public List<string> ChannelIds { get; set; } = [];

    /// <summary>The last seq the user has read, per channel; absent means nothing read.</summary>
    [Id(2)] public Dictionary<string, long> LastReadSeqs { get; set; } = [];

    [Id(3)] public AccountStanding Standing { get; set; }

    /// <summary>The servers the user is a member of, with their roles there, by server id.</summary>
    [Id(4)] public Dictionary<string, GuildMembership> Guilds { get; set; } = [];
}
