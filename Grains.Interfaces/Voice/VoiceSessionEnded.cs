using Cryb.Users;

namespace Cryb.Voice;

/// <summary>
/// The user's voice session <see cref="SessionId"/> ended (<see cref="VoiceEndReasons"/>), on the
/// user's stream: the device that held it (its connection had it from <c>JoinVoice</c>) drops its
/// media connection. A join from another device or server ends the earlier session with
/// <see cref="VoiceEndReasons.Moved"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.VoiceSessionEnded")]
public sealed record VoiceSessionEnded(
    string UserId,
    [property: Id(0)] string GuildId,
    [property: Id(1)] string ChannelId,
    [property: Id(2)] string SessionId,
    [property: Id(3)] string Reason) : UserEvent(UserId);
