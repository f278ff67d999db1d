using Cryb.Presence;
using Cryb.Voice;

namespace Cryb.Grains.Presence;

/// <summary>
/// What presence keeps across restarts: the chosen status and activity, and when the user was last
/// seen, and the user's voice session: it must outlive a lost silo, whose successor ends it if its
/// connection is not registered again within the grace period. Live connections are not here:
/// after a restart nobody is connected until they reconnect.
/// </summary>
[GenerateSerializer, Alias("cryb.PresenceState")]
public sealed class PresenceState
{
    [Id(0)] public PresenceStatus Chosen { get; set; } = PresenceStatus.Online;
    [Id(1)] public PresenceActivity? Activity { get; set; }
    [Id(2)] public DateTimeOffset? LastSeenAt { get; set; }
    [Id(3)] public VoiceBinding? Voice { get; set; }
}
