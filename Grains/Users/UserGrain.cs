using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Notifications;
using Cryb.Grains.Telemetry;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Users;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Cryb.Grains.Users;

/// <summary>
/// A user's profile, channels and read positions; publishes to the user's stream so every device
/// hears of a membership or read position that changed on another. It never calls a channel grain
/// (channel grains call it) and waits for none, so the two cannot deadlock.
/// </summary>
public sealed partial class UserGrain(
    [PersistentState("user", StorageNames.Default)] IPersistentState<UserState> state,
    INotificationStore notifications,
    SiloMetrics metrics,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private IAsyncStream<UserEvent> _events = null!;

    private string UserId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _events = this.GetStreamProvider(StreamNames.Provider)
            .GetStream<UserEvent>(StreamId.Create(StreamNames.User, UserId));
        return Task.CompletedTask;
    }

    public async Task<UserSession> Connect(Caller caller, string displayName)
    {
        RequireSelf(caller);
        if (state.State.Standing != AccountStanding.Active)
        {
            throw new ChatException(ErrorCodes.AccountDisabled, $"This account is {state.State.Standing.ToString().ToLowerInvariant()}.");
        }

        var name = DisplayNames.OrUserId(displayName, UserId);
        if (state.State.DisplayName != name)
        {
            state.State.DisplayName = name;
            await state.WriteOrDeactivateAsync(this, logger);
        }

        return new UserSession(UserId, state.State.DisplayName, state.State.ChannelIds.ToArray(),
            new Dictionary<string, long>(state.State.LastReadSeqs), state.State.Guilds.Values.ToArray());
    }

    public async Task<long> MarkRead(Caller caller, string channelId, long seq)
    {
        RequireSelf(caller);
        if (!state.State.ChannelIds.Contains(channelId))
        {
            throw new ChatException(ErrorCodes.ChannelNotFound, "No such channel.");
        }

        return await RecordRead(channelId, seq);
    }

    public async Task<long> RecordRead(string channelId, long seq)
    {
        var current = state.State.LastReadSeqs.GetValueOrDefault(channelId);
        if (seq <= current)
        {
            return current; // Read positions only move forward: a late call from a slow device changes nothing.
        }

        state.State.LastReadSeqs[channelId] = seq;
        await state.WriteOrDeactivateAsync(this, logger);
        // Counted after the write: a device that hears of the position hears what it leaves unread.
        var mentions = await notifications.CountMentionsAsync(UserId, channelId, seq);
        await _events.OnNextAsync(new ReadStateUpdated(UserId, channelId, seq, mentions));
        return seq;
    }

    public Task<bool> HasRoomForGuild() => Task.FromResult(state.State.Guilds.Count < GuildLimits.MaxGuildsPerUser);

    public Task<string> GetDisplayName() => Task.FromResult(DisplayNames.OrUserId(state.State.DisplayName, UserId));

    public async Task SetGuild(GuildMembership membership)
    {
        // Versions order two changes that crossed on the way: the older one changes nothing.
        if (state.State.Guilds.TryGetValue(membership.GuildId, out var known) && known.Version >= membership.Version)
        {
            return;
        }

        state.State.Guilds[membership.GuildId] = membership;
        await state.WriteOrDeactivateAsync(this, logger);
        await _events.OnNextAsync(new GuildAdded(UserId, membership));
    }

    public async Task MoveChannelToGuild(string channelId, GuildMembership membership)
    {
        // Not held to the server limit: the user was already in this channel, and refusing would
        // leave the channel half moved; they leave servers to join new ones, as anyone over it.
        var listed = state.State.ChannelIds.Remove(channelId);
        var newer = !state.State.Guilds.TryGetValue(membership.GuildId, out var known) || known.Version < membership.Version;
        if (newer)
        {
            state.State.Guilds[membership.GuildId] = membership;
        }

        if (listed || newer)
        {
            await state.WriteOrDeactivateAsync(this, logger);
        }

        if (newer)
        {
            await _events.OnNextAsync(new GuildAdded(UserId, membership));
        }
    }

    public async Task RemoveGuild(string guildId, string reason)
    {
        if (state.State.Guilds.Remove(guildId))
        {
            await state.WriteOrDeactivateAsync(this, logger);
        }

        // Even if already gone: a gateway that missed the first notice drops the server now.
        await _events.OnNextAsync(new GuildRemoved(UserId, guildId, reason));
    }

    public Task<AccountStanding> GetStanding(Caller caller)
    {
        if (caller.Kind != CallerKind.Service)
        {
            RequireSelf(caller);
        }

        return Task.FromResult(state.State.Standing);
    }

    public async Task BanAccount(Caller caller, string reason)
    {
        RequireService(caller);
        if (state.State.Standing == AccountStanding.Active)
        {
            state.State.Standing = AccountStanding.Banned;
            await state.WriteOrDeactivateAsync(this, logger);
            metrics.AccountAction("ban");
        }

        LogAccountAction(UserId, "banned", caller.MemberId, reason);
        // Even if already banned: a gateway that missed the first notice closes stragglers now.
        await _events.OnNextAsync(new AccountClosed(UserId, state.State.Standing));
    }

    public async Task UnbanAccount(Caller caller)
    {
        RequireService(caller);
        if (state.State.Standing == AccountStanding.Banned)
        {
            state.State.Standing = AccountStanding.Active;
            await state.WriteOrDeactivateAsync(this, logger);
            metrics.AccountAction("unban");
            LogAccountAction(UserId, "unbanned", caller.MemberId, "");
        }
    }

    public async Task DeleteAccount(Caller caller)
    {
        RequireService(caller);
        var channelIds = state.State.ChannelIds.ToArray();
        var guildIds = state.State.Guilds.Keys.ToArray();
        if (state.State.Standing != AccountStanding.Deleted)
        {
            // The membership lists stay until each channel and server confirms (RemoveChannel, RemoveGuild).
            state.State = new UserState { Standing = AccountStanding.Deleted, ChannelIds = state.State.ChannelIds, Guilds = state.State.Guilds };
            await state.WriteOrDeactivateAsync(this, logger);
            metrics.AccountAction("delete");
        }

        LogAccountAction(UserId, "deleted", caller.MemberId, "");
        await _events.OnNextAsync(new AccountClosed(UserId, AccountStanding.Deleted));
        foreach (var channelId in channelIds)
        {
            // One-way: the channel calls back RemoveChannel, which must not wait behind this call.
            await GrainFactory.GetGrain<IChannelGrain>(channelId).RemoveDeletedAccount(UserId);
        }

        foreach (var guildId in guildIds)
        {
            await GrainFactory.GetGrain<IGuildGrain>(guildId).RemoveDeletedAccount(UserId);
        }
    }

    public Task<IReadOnlyList<string>> GetChannelIds() =>
        Task.FromResult<IReadOnlyList<string>>(state.State.ChannelIds.ToArray());

    public Task<IReadOnlyList<string>> GetGuildIds() =>
        Task.FromResult<IReadOnlyList<string>>(state.State.Guilds.Keys.ToArray());

    public async Task AddChannel(ChannelInfo channel)
    {
        if (!state.State.ChannelIds.Contains(channel.Id))
        {
            state.State.ChannelIds.Add(channel.Id);
            await state.WriteOrDeactivateAsync(this, logger);
        }

        await _events.OnNextAsync(new ChannelAdded(UserId, channel));
    }

    public async Task RemoveChannel(string channelId, string reason)
    {
        if (state.State.ChannelIds.Remove(channelId) | state.State.LastReadSeqs.Remove(channelId))
        {
            await state.WriteOrDeactivateAsync(this, logger);
        }

        // A deletion reaches every connection of every member as ChannelDeleted on the channel's own
        // stream; a second, unordered notice on the user's stream could overtake it.
        if (reason != LeaveReasons.Deleted)
        {
            await _events.OnNextAsync(new ChannelRemoved(UserId, channelId, reason));
        }
    }

    private static void RequireService(Caller caller)
    {
        if (caller.Kind != CallerKind.Service)
        {
            throw new ChatException(ErrorCodes.Forbidden, "Only a service account with the grant manages accounts.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {UserId} {Action} by {By} {Reason}")]
    private partial void LogAccountAction(string userId, string action, string by, string reason);

    private void RequireSelf(Caller caller)
    {
        if (caller.Kind != CallerKind.User || caller.Id != UserId)
        {
            throw new ChatException(ErrorCodes.Forbidden, "A user's session and read positions are their own.");
        }
    }
}
