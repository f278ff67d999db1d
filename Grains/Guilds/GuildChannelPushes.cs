using Cryb.Channels;
using Cryb.Guilds;
using Cryb.Voice;

namespace Cryb.Grains.Guilds;

/// <summary>
/// What the server's grain tells its text channels' grains once it has stored a change: their
/// permission inputs, a member's roles, deletion, a ban's clean-up. Each push is awaited (a failure
/// fails the server's call, whose retry pushes again: the channels keep the newest version).
/// Voice channels and categories have no grain of their own: the server's voice grain hears of
/// every change to who may do what (<see cref="IVoiceGrain.Recheck"/>, one-way) and ends the
/// sessions that no longer may be.
/// </summary>
internal sealed class GuildChannelPushes(IGrainFactory grains, string guildId)
{
    public Task AttachAsync(GuildRecord guild, GuildChannel channel) => channel.Type switch
    {
        GuildChannelType.Text => Attach(channel, guild.AccessOf(guildId, channel)),
        GuildChannelType.Voice => RecheckVoiceAsync(null),
        _ => Task.CompletedTask,
    };

    /// <summary>Every text channel, and voice: a role's permissions or the owner changed.</summary>
    public async Task AttachAllAsync(GuildRecord guild)
    {
        var accessOf = guild.AccessOfEach(guildId);
        await Task.WhenAll(guild.TextChannels().Select(channel => Attach(channel, accessOf(channel))));
        await RecheckVoiceAsync(null);
    }

    /// <summary>A member's roles changed, or (null) they are no longer a member.</summary>
    public async Task SetMemberAsync(GuildRecord guild, string userId, IReadOnlyList<string>? roleIds, long version)
    {
        await Task.WhenAll(guild.TextChannels().Select(channel => Channel(channel.Id).SetGuildMember(userId, roleIds, version)));
        if (roleIds is not null)
        {
            // A removal's row goes after this push: the remover tells voice once it has.
            await RecheckVoiceAsync(userId);
        }
    }

    /// <summary>
    /// The voice grain forgets what it keeps of the member (null: of everything), awaited, so a
    /// voice call made after the change's answer is decided on it; then, one-way, it re-reads the
    /// server's structure and the member rows and ends the sessions that no longer may be. Told
    /// only once the change is stored.
    /// </summary>
    public async Task RecheckVoiceAsync(string? userId)
    {
        var voice = grains.GetGrain<IVoiceGrain>(guildId);
        await voice.ForgetAccess(userId);
        await voice.Recheck(userId);
    }

    /// <summary>A member's name changed: the voice grain's tokens name them by it.</summary>
    public Task ForgetVoiceMemberAsync(string userId) => grains.GetGrain<IVoiceGrain>(guildId).ForgetAccess(userId);

    public Task DeleteAsync(GuildChannel channel) =>
        channel.Type == GuildChannelType.Text ? Channel(channel.Id).DeleteForGuild() : Task.CompletedTask;

    public Task DeleteMessagesByAsync(GuildRecord guild, string userId, DateTimeOffset since) =>
        Task.WhenAll(guild.TextChannels().Select(channel => Channel(channel.Id).DeleteMessagesBy(userId, since)));

    private Task Attach(GuildChannel channel, GuildAccess access) =>
        Channel(channel.Id).AttachToGuild(new GuildChannelAccess(channel, access));

    private IChannelGrain Channel(string channelId) => grains.GetGrain<IChannelGrain>(channelId);
}
