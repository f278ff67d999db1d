namespace Cryb.Grains.Users;

/// <summary>The persisted state of a user: profile and channel memberships.</summary>
[GenerateSerializer, Alias("cryb.UserState")]
public sealed class UserState
{
    [Id(0)] public string DisplayName { get; set; } = "";
    [Id(1)] public List<string> ChannelIds { get; set; } = [];
}
