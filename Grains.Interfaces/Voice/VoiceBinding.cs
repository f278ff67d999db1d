namespace Cryb.Voice;

/// <summary>
/// Which voice session a user holds, and on which of their connections: kept by the user's
/// presence grain (persisted), which knows every connection and so ends the session when that
/// connection goes.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.VoiceBinding")]
public sealed record VoiceBinding(
    [property: Id(0)] string GuildId,
    [property: Id(1)] string ChannelId,
    [property: Id(2)] string SessionId,
    [property: Id(3)] string ConnectionId);
