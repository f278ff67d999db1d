namespace Cryb.Streaming;

/// <summary>A local subscription's end of the consumer: takes the batches pushed on its stream.</summary>
internal interface IPushedBatchTarget
{
    StreamId StreamId { get; }

    /// <summary>
    /// Queues a batch after the earlier ones, never waiting for the subscriber; true if nothing is
    /// draining the queue, and the caller must <see cref="Start"/> it (outside its locks).
    /// </summary>
    bool Queue(IReadOnlyList<object> items);

    /// <summary>Hands the queued batches to the subscriber, inline up to its first wait.</summary>
    void Start();
}
