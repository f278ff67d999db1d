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
        // Without the stream permission only the microphone; LiveKit unpublishes what a token does not allow.
        string[] sources = ticket.MayStream
            ? [TrackSources.Microphone, TrackSources.Camera, TrackSources.ScreenShare, TrackSources.ScreenShareAudio]
            : [TrackSources.Microphone];
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

    public async Task RemoveParticipantAsync(string room, string userId)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        try
        {
            await rooms.RemoveParticipantAsync(room, userId);
        }
        catch (Exception ex) when (ex is LiveKitCallException or TaskCanceledException)
        {
            // Often expected: the participant already left, or never connected its media.
            LogRemoveFailed(room, userId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "LiveKit did not remove {UserId} from room {Room}: {Failure}")]
    private partial void LogRemoveFailed(string room, string userId, string failure);
}
