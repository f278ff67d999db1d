namespace Cryb.Grains.Voice;

/// <summary>
/// The media server voice admits users to (LiveKit, in the silo's <c>LiveKitVoiceMedia</c>): the
/// grain decides who may do what, this signs it and reaches the server. A seam, not a mock point:
/// the grains project stays free of the hosting libraries the signing needs.
/// </summary>
public interface IVoiceMedia
{
    /// <summary>Where clients connect their media (LiveKit's URL); null when voice is not configured.</summary>
    string? Endpoint { get; }

    /// <summary>A token that admits <see cref="VoiceTicket.UserId"/> to the room with what the ticket allows, for <see cref="Cryb.Voice.VoiceLimits.TokenLifetime"/>.</summary>
    string SignParticipant(VoiceTicket ticket);

    /// <summary>Gives the participant already in the ticket's room what the ticket allows (a moderator's mute or deafen). Best effort: a failure is logged, not thrown.</summary>
    Task UpdateParticipantAsync(VoiceTicket ticket);

    /// <summary>Disconnects the user from the room on the media server. Best effort: a failure is logged, not thrown.</summary>
    Task RemoveParticipantAsync(string room, string userId);
}

/// <summary>What a participant token allows: publish (speak, not muted by a moderator), subscribe (not deafened by one), camera and screen (stream).</summary>
public sealed record VoiceTicket(string Room, string UserId, string Name, string SessionId, bool CanPublish, bool CanSubscribe, bool MayStream);
