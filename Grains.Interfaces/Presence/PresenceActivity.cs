namespace Cryb.Presence;

/// <summary>What a user shows they are doing, e.g. <c>{ kind: "playing", name: "Chess" }</c>.</summary>
[GenerateSerializer, Immutable, Alias("cryb.PresenceActivity")]
public sealed record PresenceActivity(
    [property: Id(0)] ActivityKind Kind,
    [property: Id(1)] string Name);

[GenerateSerializer, Alias("cryb.ActivityKind")]
public enum ActivityKind
{
    Playing = 0,
    Listening = 1,
    Watching = 2,
    Custom = 3,
}
