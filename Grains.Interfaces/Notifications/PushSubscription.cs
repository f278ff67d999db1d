namespace Cryb.Notifications;

/// <summary>
/// A browser's Web Push subscription (its <c>PushSubscription</c>): the push service's endpoint, the
/// browser's P-256 public key and auth secret (base64url), with which pushes are encrypted (RFC 8291).
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.PushSubscription")]
public sealed record PushSubscription(
    [property: Id(0)] string Endpoint,
    [property: Id(1)] string P256dh,
    [property: Id(2)] string Auth);
