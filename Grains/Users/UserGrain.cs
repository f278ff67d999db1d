using Cryb.Channels;
using Cryb.Errors;
using Cryb.Identity;
using Cryb.Users;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Cryb.Grains.Users;

/// <summary>
/// A user's profile, channels and read positions; publishes to the user's stream so every device
/// hears of a membership or read position that changed on another. It never calls a channel grain
/// (channel grains call it), so the two cannot deadlock.
/// </summary>
public sealed class UserGrain(
    [PersistentState("user", StorageNames.Default)] IPersistentState<UserState> state,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private const int MaxDisplayNameLength = 64;
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
        var name = displayName.Trim();
        if (name.Length is 0 or > MaxDisplayNameLength || name.Any(char.IsControl))
        {
            name = UserId;
        }

        if (state.State.DisplayName != name)
        {
            state.State.DisplayName = name;
            await state.WriteOrRefuseAsync(this, logger);
        }

        return new UserSession(UserId, state.State.DisplayName, state.State.ChannelIds.ToArray(),
            new Dictionary<string, long>(state.State.LastReadSeqs));
    }

    public async Task<long> MarkRead(Caller caller, string channelId, long seq)
    {
        RequireSelf(caller);
        if (!state.State.ChannelIds.Contains(channelId))
        {
            throw new ChatException(ErrorCodes.ChannelNotFound, "No such channel.");
        }

        var current = state.State.LastReadSeqs.GetValueOrDefault(channelId);
        if (seq <= current)
        {
            return current; // Read positions only move forward: a late call from a slow device changes nothing.
        }

        state.State.LastReadSeqs[channelId] = seq;
        await state.WriteOrRefuseAsync(this, logger);
        await _events.OnNextAsync(new ReadStateUpdated(UserId, channelId, seq));
        return seq;
    }

    public Task<IReadOnlyList<string>> GetChannelIds() =>
        Task.FromResult<IReadOnlyList<string>>(state.State.ChannelIds.ToArray());

    public async Task AddChannel(ChannelInfo channel)
    {
        if (!state.State.ChannelIds.Contains(channel.Id))
        {
            state.State.ChannelIds.Add(channel.Id);
            await state.WriteOrRefuseAsync(this, logger);
        }

        await _events.OnNextAsync(new ChannelAdded(UserId, channel));
    }

    public async Task RemoveChannel(string channelId, string reason)
    {
        if (state.State.ChannelIds.Remove(channelId) | state.State.LastReadSeqs.Remove(channelId))
        {
            await state.WriteOrRefuseAsync(this, logger);
        }

        // A deletion reaches every connection of every member as ChannelDeleted on the channel's own
        // stream; a second, unordered notice on the user's stream could overtake it.
        if (reason != LeaveReasons.Deleted)
        {
            await _events.OnNextAsync(new ChannelRemoved(UserId, channelId, reason));
        }
    }

    private void RequireSelf(Caller caller)
    {
        if (caller.Kind != CallerKind.User || caller.Id != UserId)
        {
            throw new ChatException(ErrorCodes.Forbidden, "A user's session and read positions are their own.");
        }
    }
}
