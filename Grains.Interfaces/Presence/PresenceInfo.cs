namespace Cryb.Presence;

/// <summary>
/// A user's presence as others see it (the protocol's <c>PresenceUpdated</c> payload): an invisible
/// user is offline with no devices or activity.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.PresenceInfo")]
public sealed record PresenceInfo(
    [property: Id(0)] string UserId,
    [property: Id(1)] PresenceStatus Status,
    [property: Id(2)] PresenceActivity? Activity,
    [property: Id(3)] IReadOnlyList<DeviceKind> Devices,
    [property: Id(4)] DateTimeOffset? LastSeenAt)
{
    public bool Equals(PresenceInfo? other) =>
        other is not null && (UserId, Status, Activity, LastSeenAt) == (other.UserId, other.Status, other.Activity, other.LastSeenAt)
        && Devices.SequenceEqual(other.Devices);

    public override int GetHashCode() => HashCode.Combine(UserId, Status, LastSeenAt);
}
