namespace Cryb.Voice;

/// <summary>
/// A user's voice state in a server, as every member who can view the channel sees it (Discord's
/// voice state). <see cref="ChannelId"/> null: the user left voice in this server. The self flags
/// are the user's own; <see cref="Mute"/> and <see cref="Deaf"/> a moderator's, kept across moves
/// within the server; <see cref="Suppress"/> is true when the user may not speak in the channel.
/// <see cref="Version"/> grows with each change of the server's voice states, across activations.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.VoiceState")]
public sealed record VoiceState(
    [property: Id(0)] string GuildId,
    [property: Id(1)] string? ChannelId,
    [property: Id(2)] string UserId,
    [property: Id(3)] string SessionId,
    [property: Id(4)] bool SelfMute,
    [property: Id(5)] bool SelfDeaf,
    [property: Id(6)] bool SelfVideo,
    [property: Id(7)] bool SelfStream,
    [property: Id(8)] bool Mute,
    [property: Id(9)] bool Deaf,
    [property: Id(10)] bool Suppress,
    [property: Id(11)] long Version);
