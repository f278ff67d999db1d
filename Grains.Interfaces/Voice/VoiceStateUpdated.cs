using Cryb.Guilds;

namespace Cryb.Voice;

/// <summary>
/// A voice state changed, on the server's stream (the voice grain publishes it through the server
/// grain, the stream's owner). <see cref="GuildEvent.Version"/> is the voice state's
/// <see cref="VoiceState.Version"/>, not the server's structure version: gateways must not take it
/// for a structural change. <see cref="FromChannelId"/> is the channel the user was in before (a
/// move or a leave), so gateways can tell those who could see that channel that the user left it.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.VoiceStateUpdated")]
public sealed record VoiceStateUpdated(
    [property: Id(0)] VoiceState State,
    [property: Id(1)] string? FromChannelId) : GuildEvent(State.GuildId, State.Version);
