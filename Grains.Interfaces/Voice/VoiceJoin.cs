namespace Cryb.Voice;

/// <summary>
/// What <see cref="IVoiceGrain.Join"/> returns: the session, where the media server is
/// (<see cref="Endpoint"/>, LiveKit's URL) and a token that admits the user to the channel's room
/// there for 10 minutes (LiveKit checks it only when the user connects), and the state as published.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.VoiceJoin")]
public sealed record VoiceJoin(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string GuildId,
    [property: Id(2)] string ChannelId,
    [property: Id(3)] string Endpoint,
    [property: Id(4)] string Token,
    [property: Id(5)] VoiceState State);
