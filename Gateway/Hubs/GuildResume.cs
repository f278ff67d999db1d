using Cryb.Guilds;
using Cryb.Presence;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// A server and a version of it: in <c>Ready</c> (when the client connects with <c>guilds=resume</c>)
/// the server's newest version, in <c>ResumeGuilds</c>' argument the newest one the client applied.
/// </summary>
public sealed record GuildVersion(string GuildId, long Version);

/// <summary>
/// One server in the answer to <c>ResumeGuilds</c>. <see cref="Unchanged"/>: nothing of the server
/// changed after the version the client gave, so it keeps what it holds (with <see cref="Presences"/>,
/// for a small server, and <see cref="VoiceStates"/>, which the server's versions do not count);
/// otherwise <see cref="State"/> is the whole
/// server, as <c>GuildCreated</c> carries it. <see cref="Version"/> is what the client holds from
/// here on (the state's <see cref="GuildState.ResumeVersion"/> when it is sent).
/// </summary>
public sealed record GuildResume(string GuildId, bool Unchanged, long Version, GuildState? State, IReadOnlyList<PresenceInfo>? Presences)
{
    /// <summary>With <see cref="Unchanged"/>: who is in the voice channels the member can view, now.</summary>
    public IReadOnlyList<Cryb.Voice.VoiceState>? VoiceStates { get; init; }
}
