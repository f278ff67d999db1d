using Cryb.Channels;
using Cryb.Guilds;

namespace Cryb.Grains.Channels;

/// <summary>
/// A standalone channel's move into a server of its own (same id), read from the channel's state
/// alone. Three steps, each idempotent, so a run that stopped anywhere is completed by the next:
/// the server adopts the channel (<see cref="IGuildGrain.AdoptStandaloneChannel"/>); the channel
/// stores the server and its access (<see cref="Moved"/>), its members kept for the third step; each
/// member's user grain swaps the channel for the server
/// (<see cref="Cryb.Users.IUserGrain.MoveChannelToGuild"/>); then the members are cleared.
/// </summary>
public static class ChannelMigration
{
    /// <summary>
    /// Whether the channel still has a step to take: a standalone channel (not a direct message,
    /// not deleted), or one that moved into its own server whose members were not all told yet.
    /// </summary>
    public static bool IsDue(string channelId, ChannelState channel) =>
        channel.Exists && !channel.Deleted && !channel.IsDirect
        && (!channel.IsGuildChannel || (channel.GuildId == channelId && channel.Members.Count > 0));

    /// <summary>Whether the channel moved into the server of its own id (a server channel made by the upgrade).</summary>
    public static bool MovedIntoOwnServer(string channelId, ChannelState channel) => channel.GuildId == channelId;

    /// <summary>The channel as the server adopts it.</summary>
    public static StandaloneChannel Snapshot(string channelId, ChannelState channel) => new(
        channelId,
        channel.Name,
        channel.Topic,
        channel.IsPrivate,
        channel.OwnerId,
        channel.CreatedAt,
        channel.Members.Keys.Order(StringComparer.Ordinal).ToArray(),
        channel.Members.Where(member => member.Value == ChannelRole.Admin).Select(member => member.Key).Order(StringComparer.Ordinal).ToArray(),
        channel.Banned.Order(StringComparer.Ordinal).ToArray());

    /// <summary>Step two: the channel belongs to the server now; its members stay listed until each user grain has heard.</summary>
    public static void Moved(ChannelState channel, GuildChannelAccess adopted)
    {
        channel.GuildId = adopted.Channel.GuildId;
        channel.Access = adopted.Access;
        channel.OwnerId = adopted.Access.OwnerId;
    }
}
