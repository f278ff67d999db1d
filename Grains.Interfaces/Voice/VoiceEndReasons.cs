namespace Cryb.Voice;

/// <summary>Why a voice session ended (<see cref="VoiceSessionEnded.Reason"/>); stable strings of the protocol.</summary>
public static class VoiceEndReasons
{
    /// <summary>The user left (<c>LeaveVoice</c>).</summary>
    public const string Left = "left";

    /// <summary>The user joined voice from another device, or in another server.</summary>
    public const string Moved = "moved";

    /// <summary>The connection that held the session closed, or its gateway was lost, and it did not come back within the grace period.</summary>
    public const string Disconnected = "disconnected";

    /// <summary>The user may no longer connect to or view the channel, or left the server.</summary>
    public const string Permission = "permission";

    /// <summary>A moderator disconnected the user (<c>SetMemberVoice</c> with disconnect).</summary>
    public const string Moderator = "moderator";

    /// <summary>The channel was deleted.</summary>
    public const string ChannelDeleted = "channel_deleted";

    /// <summary>LiveKit said the participant left the room (a webhook).</summary>
    public const string MediaLeft = "media_left";
}
