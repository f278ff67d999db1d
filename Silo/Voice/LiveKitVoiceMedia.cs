using System.Text.Json;
using Cryb.Grains.Voice;
using Cryb.Hosting.LiveKit;
using Microsoft.Extensions.Options;

namespace Cryb.Silo.Voice;

/// <summary>
/// Voice's media server is LiveKit: participant tokens signed with <see cref="LiveKitTokens"/>, and
/// participants removed through its RoomService (<see cref="LiveKitRooms"/>). Not configured
/// (<see cref="LiveKitOptions.Enabled"/> false): no endpoint, and the voice grain refuses joins
/// with <c>voice_unavailable</c>.
/// </summary>
public sealed partial class LiveKitVoiceMedia(
    IOptions<LiveKitOptions> options,
    LiveKitTokens tokens,
    LiveKitRooms rooms,
    ILogger<LiveKitVoiceMedia> logger) : IVoiceMedia
{
    public string? Endpoint => options.Value.Enabled ? options.Value.Url : null;

    public string SignParticipant(VoiceTicket ticket)
    {
        var sources = SourcesOf(ticket);
        var grant = new VideoGrant
        {
            Room = ticket.Room,
            RoomJoin = true,
            CanPublish = ticket.CanPublish,
            CanSubscribe = ticket.CanSubscribe,
            CanPublishData = false,
            CanPublishSources = sources,
        };
        // The session id in the participant's metadata: LiveKit's webhooks carry it back, so a
        // participant_left of an ended session cannot end the user's next one.
        var metadata = JsonSerializer.Serialize(new { sessionId = ticket.SessionId });
        return tokens.Sign(ticket.UserId, grant, Cryb.Voice.VoiceLimits.TokenLifetime, ticket.Name, metadata);
    }

    public Task UpdateParticipantAsync(VoiceTicket ticket) =>
        BestEffortAsync("UpdateParticipant", ticket.Room, ticket.UserId, () => rooms.UpdatePermissionAsync(
            ticket.Room, ticket.UserId, new ParticipantPermission(ticket.CanSubscribe, ticket.CanPublish, CanPublishData: false, SourcesOf(ticket))));

    public Task RemoveParticipantAsync(string room, string userId) =>
        BestEffortAsync("RemoveParticipant", room, userId, () => rooms.RemoveParticipantAsync(room, userId));

    /// <summary>Without the stream permission only the microphone; LiveKit unpublishes what a grant does not allow.</summary>
    private static string[] SourcesOf(VoiceTicket ticket) => ticket.MayStream
        ? [TrackSources.Microphone, TrackSources.Camera, TrackSources.ScreenShare, TrackSources.ScreenShareAudio]
        : [TrackSources.Microphone];

    private async Task BestEffortAsync(string method, string room, string userId, Func<Task> call)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        try
        {
            await call();
        }
        catch (Exception ex) when (ex is LiveKitCallException or TaskCanceledException)
        {
            // Often expected: the participant already left, or never connected its media.
            LogCallFailed(method, room, userId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "LiveKit {Method} for {UserId} in room {Room} failed: {Failure}")]
    private partial void LogCallFailed(string method, string room, string userId, string failure);
}
