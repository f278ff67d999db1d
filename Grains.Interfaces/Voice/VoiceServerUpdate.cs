using Cryb.Users;

namespace Cryb.Voice;

/// <summary>
/// A new token for the user's voice session <see cref="SessionId"/>, on the user's stream: a
/// moderator moved them (<see cref="ChannelId"/> is the new channel, whose room the token admits
/// to) or changed what they may do there. The device that holds the session reconnects its media
/// with it; the others ignore it.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.VoiceServerUpdate")]
public sealed record VoiceServerUpdate(
    string UserId,
    [property: Id(0)] string GuildId,
    [property: Id(1)] string ChannelId,
    [property: Id(2)] string SessionId,
    [property: Id(3)] string Endpoint,
    [property: Id(4)] string Token) : UserEvent(UserId);
