namespace Cryb.Bench.Load;

/// <summary>Where a client hands what it receives; called on the client's receive loop, so it must be quick.</summary>
public interface IDeliverySink
{
    void Delivered(BenchClient client, DeliveredMessage message, long arrivalMicros);

    /// <summary>The connection closed without the bench closing it.</summary>
    void Dropped(BenchClient client, Exception? error);
}
