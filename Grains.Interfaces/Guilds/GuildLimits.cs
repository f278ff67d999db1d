namespace Cryb.Guilds;

/// <summary>Protocol limits on servers, shared by grains, gateway validation and docs.</summary>
public static class GuildLimits
{
    public const int MaxNameLength = 100;
    public const int MaxGuildsPerUser = 200;
    public const int MaxChannelsPerGuild = 500;
    public const int MaxRolesPerGuild = 250;
    public const int MaxOverwritesPerChannel = 100;
    public const int MaxVoiceUserLimit = 99;
    public const int MaxNicknameLength = 32;

    /// <summary>The default of the silos' <c>Guilds:MaxMembers</c>.</summary>
    public const int DefaultMaxMembers = 500_000;

    /// <summary>Random characters in an invite code (base62: about 5.7 bits each, 57 bits in all).</summary>
    public const int InviteCodeLength = 10;

    /// <summary>Open invites per server; the oldest must be revoked or expire before more are made.</summary>
    public const int MaxInvitesPerGuild = 1000;

    /// <summary>Members in one <c>GuildMembersChunk</c>.</summary>
    public const int MaxMembersPerChunk = 1000;

    /// <summary>Members a name-prefix query or a list of user ids returns at most.</summary>
    public const int MaxQueriedMembers = 100;

    /// <summary>A full member list may be requested once per server per user in this time.</summary>
    public static readonly TimeSpan FullListInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Servers with more members than this are "large" to everyone: their <c>GuildCreated</c> lists
    /// only the caller (voice states come apart); the rest come through <c>RequestGuildMembers</c>.
    /// The most a connection may ask for with <c>largeThreshold</c>, and the size up to which the
    /// server's grain and the gateways keep a server's whole member list.
    /// </summary>
    public const int LargeThreshold = 250;

    /// <summary>
    /// Where "large" starts for a connection that does not ask (Discord's default for the same
    /// setting): a member list of 250 is about 35 KB of <c>Ready</c>, and a user in fifty such
    /// servers would wait for 1.7 MB on every connect, most of it lists nobody looks at.
    /// </summary>
    public const int DefaultLargeThreshold = 50;

    /// <summary>Bans listed by one <c>GetGuildBans</c> page.</summary>
    public const int MaxBansPage = 1000;
}
