namespace Cryb.Voice;

/// <summary>
/// Which voice session a user holds, and on which of their connections: kept by the user's
/// presence grain (persisted), which knows every connection and so ends the session when that
/// connection goes. <see cref="ChannelId"/> is the channel the session was joined in: a move
/// within the server keeps the session, and the binding as it was.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.VoiceBinding")]
public sealed record VoiceBinding(
    [property: Id(0)] string GuildId,
    [property: Id(1)] string ChannelId,
    [property: Id(2)] string SessionId,
    [property: Id(3)] string ConnectionId);
