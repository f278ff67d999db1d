using Cryb.Users;

namespace Cryb.Grains.Users;

/// <summary>The persisted state of a user: profile, channel memberships and read positions.</summary>
[GenerateSerializer, Alias("cryb.UserState")]
public sealed class UserState
{
    [Id(0)] public string DisplayName { get; set; } = "";
    [Id(1)] public List<string> ChannelIds { get; set; } = [];

    /// <summary>The last seq the user has read, per channel; absent means nothing read.</summary>
    [Id(2)] public Dictionary<string, long> LastReadSeqs { get; set; } = [];

    [Id(3)] public AccountStanding Standing { get; set; }
}
