namespace Cryb.Voice;

/// <summary>
/// Every voice state of a server as its voice grain holds them, and the newest voice version whose
/// change they include: an event at or below <see cref="Version"/> is already in <see cref="States"/>
/// (a user it does not list left at or before it), one above it came after. What a gateway needs to
/// put its copy right after pushes were lost, and to tell a late event from a new one.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.VoiceSnapshot")]
public sealed record VoiceSnapshot(
    [property: Id(0)] IReadOnlyList<VoiceState> States,
    [property: Id(1)] long Version);
