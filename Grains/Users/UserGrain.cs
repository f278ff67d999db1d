using Cryb.Channels;
using Cryb.Errors;
using Cryb.Identity;
using Cryb.Users;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Cryb.Grains.Users;

/// <summary>A user's profile and the channels they belong to; publishes to the user's stream.</summary>
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
        if (caller.Id != UserId)
        {
            throw new ChatException(ErrorCodes.Forbidden, "A user can only open their own session.");
        }

        var name = displayName.Trim();
        if (name.Length is 0 or > MaxDisplayNameLength)
        {
            name = UserId;
        }

        if (state.State.DisplayName != name)
        {
            state.State.DisplayName = name;
            await state.WriteOrRefuseAsync(this, logger);
        }

        return new UserSession(UserId, state.State.DisplayName, state.State.ChannelIds.ToArray());
    }

    public async Task AddChannel(ChannelInfo channel)
    {
        if (!state.State.ChannelIds.Contains(channel.Id))
        {
            state.State.ChannelIds.Add(channel.Id);
            await state.WriteOrRefuseAsync(this, logger);
        }

        await _events.OnNextAsync(new ChannelAdded(UserId, channel));
    }
}
