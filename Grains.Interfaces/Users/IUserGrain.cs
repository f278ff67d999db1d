using Cryb.Identity;

namespace Cryb.Users;

/// <summary>A user, keyed by user id: profile and channel memberships.</summary>
[Alias("cryb.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Called by a gateway when the user connects: records the display name, returns the session.</summary>
    [Alias("Connect")]
    Task<UserSession> Connect(Caller caller, string displayName);

    /// <summary>
    /// Records that the user is a member of <paramref name="channel"/> and tells the user's
    /// connections. Called by the channel grain, which has already authorized the membership.
    /// </summary>
    [Alias("AddChannel")]
    Task AddChannel(Channels.ChannelInfo channel);
}
