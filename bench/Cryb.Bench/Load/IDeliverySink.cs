namespace Cryb.Bench.Load;

/// <summary>Where a client hands what it receives; called on the client's receive loop, so it must be quick.</summary>
public interface IDeliverySink
{
    /// <summary>
    /// A <c>MessageCreated</c> of seq <paramref name="seq"/> arrived for <paramref name="receiver"/>
    /// (null for a channel the client does not watch); <paramref name="intendedMicros"/> is the
    /// stamp in its content, -1 when it has none.
    /// </summary>
    void Delivered(DeliveryChecker.Receiver? receiver, long seq, long intendedMicros, long arrivalMicros);

    /// <summary>The connection closed without the bench closing it.</summary>
    void Dropped(BenchClient client, Exception? error);
}
