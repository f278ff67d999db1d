using Cryb.Channels;
using Cryb.Guilds;

namespace Cryb.Grains.Guilds;

/// <summary>
/// What the server's grain tells its text channels' grains once it has stored a change: their
/// permission inputs, a member's roles, deletion, a ban's clean-up. Each push is awaited (a failure
/// fails the server's call, whose retry pushes again: the channels keep the newest version).
/// Voice channels and categories have no grain.
/// </summary>
internal sealed class GuildChannelPushes(IGrainFactory grains, string guildId)
{
    public Task AttachAsync(GuildRecord guild, GuildChannel channel) =>
        channel.Type == GuildChannelType.Text ? Attach(channel, guild.AccessOf(guildId, channel)) : Task.CompletedTask;

    /// <summary>Every text channel: a role's permissions or the owner changed.</summary>
    public Task AttachAllAsync(GuildRecord guild)
    {
        var accessOf = guild.AccessOfEach(guildId);
        return Task.WhenAll(guild.TextChannels().Select(channel => Attach(channel, accessOf(channel))));
    }

    /// <summary>A member's roles changed, or (null) they are no longer a member.</summary>
    public Task SetMemberAsync(GuildRecord guild, string userId, IReadOnlyList<string>? roleIds, long version) =>
        Task.WhenAll(guild.TextChannels().Select(channel => Channel(channel.Id).SetGuildMember(userId, roleIds, version)));

    public Task DeleteAsync(GuildChannel channel) =>
        channel.Type == GuildChannelType.Text ? Channel(channel.Id).DeleteForGuild() : Task.CompletedTask;

    public Task DeleteMessagesByAsync(GuildRecord guild, string userId, DateTimeOffset since) =>
        Task.WhenAll(guild.TextChannels().Select(channel => Channel(channel.Id).DeleteMessagesBy(userId, since)));

    private Task Attach(GuildChannel channel, GuildAccess access) =>
        Channel(channel.Id).AttachToGuild(new GuildChannelAccess(channel, access));

    private IChannelGrain Channel(string channelId) => grains.GetGrain<IChannelGrain>(channelId);
}
