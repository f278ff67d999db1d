namespace Cryb.Voice;

/// <summary>Voice's fixed numbers, shared by the grain and the docs.</summary>
public static class VoiceLimits
{
    /// <summary>
    /// How long a LiveKit token admits its holder. LiveKit checks it only when the participant
    /// connects, so this bounds how long a leaked token can be replayed, not a call's length.
    /// </summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(10);

    /// <summary>The LiveKit room of a voice channel: one per channel, named from the server and channel ids.</summary>
    public static string RoomOf(string guildId, string channelId) => $"g{guildId}:c{channelId}";
}
