using Cryb.Identity;
using Orleans.Concurrency;

namespace Cryb.Streaming;

/// <summary>
/// A push stream's subscribers, kept by the grain that owns the stream (<see cref="StreamOwners"/>:
/// the channel grain for a channel's stream, the user grain for a user's). Orleans installs it on
/// that grain at the first call. Each batch published on the stream goes straight from the owner to
/// every subscriber, one message per subscriber per batch: no queue, nothing polled.
/// </summary>
/// <remarks>
/// Subscriptions are soft state: held in memory, under a lease the subscriber renews. A new
/// activation of the owner starts with none; subscribers learn it at their next renewal, or when
/// the cluster's membership changes, subscribe again and fill the gap from the truth (PostgreSQL).
/// Nothing durable is written, so a subscription costs one grain call and no database write.
/// Every method interleaves with the owner's own calls: it touches the subscriber table only.
/// </remarks>
[Alias("cryb.IStreamOwnerExtension")]
public interface IStreamOwnerExtension : IGrainExtension
{
    /// <summary>
    /// Pushes the stream's batches to <paramref name="subscription"/>'s consumer from now on,
    /// replacing that consumer's earlier subscription. Gateways only: a subscriber sees every event
    /// of the stream, past the membership checks of the owner's methods.
    /// </summary>
    [Alias("Subscribe"), AlwaysInterleave, GatewayOnly]
    Task Subscribe(ServiceCredential subscriber, StreamId streamId, StreamSubscription subscription);

    /// <summary>Extends the lease; false if this owner activation does not hold the subscription (any more).</summary>
    [Alias("Renew"), AlwaysInterleave, GatewayOnly]
    Task<bool> Renew(ServiceCredential subscriber, StreamId streamId, StreamSubscription subscription);

    /// <summary>Ends the subscription if it is still the consumer's current one (a newer one stays).</summary>
    [Alias("Unsubscribe"), AlwaysInterleave, GatewayOnly]
    Task Unsubscribe(ServiceCredential subscriber, StreamId streamId, StreamSubscription subscription);

    /// <summary>
    /// Pushes a batch to the subscribers: how a grain other than the owner (the typing grain on a
    /// channel's stream) publishes. Silo-internal; the owner itself publishes without a call.
    /// </summary>
    [Alias("Publish"), AlwaysInterleave]
    Task Publish(StreamId streamId, StreamBatch batch);
}
