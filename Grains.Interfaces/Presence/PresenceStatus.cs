namespace Cryb.Presence;

/// <summary>
/// A user's status. A user chooses online, idle, dnd or invisible; others see invisible as
/// offline, and offline is what everyone is with no live connection.
/// </summary>
[GenerateSerializer, Alias("cryb.PresenceStatus")]
public enum PresenceStatus
{
    Offline = 0,
    Online = 1,
    Idle = 2,
    Dnd = 3,
    Invisible = 4,
}
