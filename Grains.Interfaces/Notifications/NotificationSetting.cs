namespace Cryb.Notifications;

/// <summary>
/// A user's notification setting for one server or channel. A channel's setting overrides its
/// server's (a null <see cref="Level"/> inherits it); a muted scope (until <see cref="MutedUntil"/>)
/// notifies nothing; the suppressions hold if set on either.
/// </summary>
/// <param name="Scope"><c>guild:&lt;id&gt;</c> or <c>channel:&lt;id&gt;</c> (<see cref="NotificationScope"/>).</param>
/// <param name="SuppressEveryone">No notification for <c>@everyone</c> or <c>@here</c>.</param>
/// <param name="SuppressRoles">No notification for role mentions.</param>
[GenerateSerializer, Immutable, Alias("cryb.NotificationSetting")]
public sealed record NotificationSetting(
    [property: Id(0)] string Scope,
    [property: Id(1)] NotificationLevel? Level,
    [property: Id(2)] DateTimeOffset? MutedUntil,
    [property: Id(3)] bool SuppressEveryone,
    [property: Id(4)] bool SuppressRoles)
{
    /// <summary>A setting that changes nothing: stored as no row.</summary>
    public bool IsDefault => Level is null && MutedUntil is null && !SuppressEveryone && !SuppressRoles;
}
