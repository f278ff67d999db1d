using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Limits;
using Cryb.Identity;
using Cryb.Users;

namespace Cryb.Grains.Channels;

/// <summary>
/// The channel lists of the users a channel adds and removes, kept in step with its membership
/// (each user grain keeps the channels it is in, for its <c>Ready</c>). Services have no user
/// grain: nobody connects as them.
/// </summary>
internal sealed class UserChannelLists(IGrainFactory grains, LimitOptions limits)
{
    public static bool IsUser(string memberId) => !memberId.StartsWith(Caller.ServicePrefix, StringComparison.Ordinal);

    /// <summary>
    /// Refuses a user already in <see cref="LimitOptions.MaxChannelsPerUser"/> channels. Checked
    /// before any change; concurrent joins of one user to different channels can each pass, so the
    /// bound may be exceeded by those few.
    /// </summary>
    public async Task RequireRoomForAnotherAsync(string memberId)
    {
        if (IsUser(memberId) && (await User(memberId).GetChannelIds()).Count >= limits.MaxChannelsPerUser)
        {
            throw new ChatException(ErrorCodes.TooManyChannels,
                $"A user may be in {limits.MaxChannelsPerUser} channels; leave one first.");
        }
    }

    /// <inheritdoc cref="RequireRoomForAnotherAsync(string)"/>
    public async Task RequireRoomForAnotherAsync(IEnumerable<string> memberIds)
    {
        foreach (var memberId in memberIds)
        {
            await RequireRoomForAnotherAsync(memberId);
        }
    }

    public async Task AddAsync(string memberId, ChannelInfo channel)
    {
        if (IsUser(memberId))
        {
            await User(memberId).AddChannel(channel);
        }
    }

    public async Task RemoveAsync(string memberId, string channelId, string reason)
    {
        if (IsUser(memberId))
        {
            await User(memberId).RemoveChannel(channelId, reason);
        }
    }

    public async Task RemoveAsync(IEnumerable<string> memberIds, string channelId, string reason)
    {
        foreach (var memberId in memberIds)
        {
            await RemoveAsync(memberId, channelId, reason);
        }
    }

    private IUserGrain User(string userId) => grains.GetGrain<IUserGrain>(userId);
}
