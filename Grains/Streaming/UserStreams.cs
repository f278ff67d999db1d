using Cryb.Users;
using Orleans.Streams;

namespace Cryb.Grains.Streaming;

/// <summary>Where grains publish a user's events.</summary>
internal static class UserStreams
{
    /// <summary>
    /// The user's stream (<see cref="StreamNames.User"/>). Any grain may publish on it; its owner,
    /// the user grain, pushes each event to every gateway holding one of the user's connections.
    /// </summary>
    public static IAsyncStream<UserEvent> UserStream(this Grain grain, string userId) =>
        grain.GetStreamProvider(StreamNames.Provider).GetStream<UserEvent>(StreamId.Create(StreamNames.User, userId));
}
