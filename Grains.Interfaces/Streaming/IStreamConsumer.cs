using Orleans.Concurrency;

namespace Cryb.Streaming;

/// <summary>
/// Where an owner pushes a stream's batches: one object per Orleans client (a gateway, a test, a
/// backend service), shared by all its subscriptions, which sorts each batch to its stream's handlers.
/// </summary>
[Alias("cryb.IStreamConsumer")]
public interface IStreamConsumer : IGrainObserver
{
    /// <summary>
    /// One published batch: the <paramref name="number"/>-th pushed under subscription
    /// <paramref name="subscriptionId"/> (1, 2, ...). One-way: a push costs a single message.
    /// Orleans does not promise that messages arrive in the order sent (the first message to a
    /// client may wait for its route while the next one finds it), so the consumer puts pushes back
    /// in order by number, and a number that never comes is a push lost on the way, which the
    /// subscriber repairs from the truth.
    /// </summary>
    [Alias("Deliver"), OneWay]
    Task Deliver(StreamId streamId, Guid subscriptionId, long number, StreamBatch batch);

    /// <summary>
    /// The owner's activation holding subscription <paramref name="subscriptionId"/> is gone (its
    /// silo is shutting down, or it was deactivated): subscribe again now, so the next activation
    /// pushes to this consumer, instead of at the next check.
    /// </summary>
    [Alias("OwnerLeft"), OneWay]
    Task OwnerLeft(StreamId streamId, Guid subscriptionId);
}
