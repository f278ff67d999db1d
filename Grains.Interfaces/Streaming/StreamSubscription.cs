namespace Cryb.Streaming;

/// <summary>
/// One consumer's registration with a stream's owner. <see cref="Id"/> tells registrations of the
/// same consumer apart, so an unsubscribe that arrives after a newer subscribe removes nothing.
/// The owner drops the subscription <see cref="Lease"/> after its last renewal.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.StreamSubscription")]
public sealed record StreamSubscription(
    [property: Id(0)] IStreamConsumer Consumer,
    [property: Id(1)] Guid Id,
    [property: Id(2)] TimeSpan Lease);
