using Orleans.Concurrency;
using Cryb.Channels;
using Cryb.Guilds;
using Cryb.Identity;

namespace Cryb.Users;

/// <summary>A user, keyed by user id: profile, channel memberships and read positions.</summary>
[Alias("cryb.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Called by a gateway when the user connects: records the display name, returns the session.</summary>
    [Alias("Connect")]
    Task<UserSession> Connect(Caller caller, string displayName);

    /// <summary>Stores the caller's read position in a channel (it only moves forward) and tells their devices.</summary>
    [Alias("MarkRead")]
    Task<long> MarkRead(Caller caller, string channelId, long seq);

    /// <summary>Whether the account may connect; asked by gateways before accepting a token. The user or a service.</summary>
    [Alias("GetStanding"), AlwaysInterleave]
    Task<AccountStanding> GetStanding(Caller caller);

    /// <summary>
    /// Bans the account cluster-wide (a service only, granted <c>IUserGrain.BanAccount</c>): its
    /// connections are closed on every gateway and new ones refused until <see cref="UnbanAccount"/>.
    /// </summary>
    [Alias("BanAccount")]
    Task BanAccount(Caller caller, string reason);

    /// <summary>Lifts a ban (a service only); a deleted account stays deleted.</summary>
    [Alias("UnbanAccount")]
    Task UnbanAccount(Caller caller);

    /// <summary>
    /// Closes the account for good (a service only): connections closed, profile and read positions
    /// cleared, memberships removed (except channels it owns, which an operator deletes).
    /// </summary>
    [Alias("DeleteAccount")]
    Task DeleteAccount(Caller caller);

    /// <summary>The user's channel ids; for the user's presence grain, which fans presence out to them.</summary>
    [Alias("GetChannelIds"), AlwaysInterleave]
    Task<IReadOnlyList<string>> GetChannelIds();

    /// <summary>The user's server ids; for the user's presence grain, which fans presence out to their members too.</summary>
    [Alias("GetGuildIds"), AlwaysInterleave]
    Task<IReadOnlyList<string>> GetGuildIds();

    /// <summary>
    /// Records that the user is a member of <paramref name="channel"/> and tells the user's
    /// connections. Called by the channel grain, which has already authorized the membership.
    /// </summary>
    [Alias("AddChannel")]
    Task AddChannel(ChannelInfo channel);

    /// <summary>Records that the user left <paramref name="channelId"/>; called by the channel grain.</summary>
    [Alias("RemoveChannel")]
    Task RemoveChannel(string channelId, string reason);

    /// <summary>Whether the user may join one more server (<see cref="GuildLimits.MaxGuildsPerUser"/>); asked by a server's grain before it adds the member row.</summary>
    [Alias("HasRoomForGuild"), AlwaysInterleave]
    Task<bool> HasRoomForGuild();

    /// <summary>The user's display name (their id if they never gave one): the name a server lists them under when they join.</summary>
    [Alias("GetDisplayName"), AlwaysInterleave]
    Task<string> GetDisplayName();

    /// <summary>Records (or updates) the user's membership of a server and tells the user's connections; called by the server's grain.</summary>
    [Alias("SetGuild")]
    Task SetGuild(GuildMembership membership);

    /// <summary>Records that the user left a server (<see cref="Channels.LeaveReasons"/>); called by the server's grain.</summary>
    [Alias("RemoveGuild")]
    Task RemoveGuild(string guildId, string reason);

    /// <summary>
    /// A standalone channel of the user moved into the server of its own id: in one write, the channel
    /// leaves the user's standalone list (its read position stays: the channel keeps its id and seq)
    /// and the server joins their servers. Only <see cref="GuildAdded"/> is published, never
    /// <see cref="ChannelRemoved"/>: a connected client keeps the channel and its history, and
    /// hears of the server as on any join. Idempotent. Called by the channel's grain as it migrates.
    /// </summary>
    [Alias("MoveChannelToGuild")]
    Task MoveChannelToGuild(string channelId, GuildMembership membership);

    /// <summary>Stores a read position in a server's channel, which the channel's grain has checked the user may view.</summary>
    [Alias("RecordRead")]
    Task<long> RecordRead(string channelId, long seq);
}
