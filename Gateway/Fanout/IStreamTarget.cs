namespace Cryb.Gateway.Fanout;

/// <summary>Where one subscribed stream's events go on this gateway: one target per stream key.</summary>
public interface IStreamTarget<in TEvent>
{
    /// <summary>An event from the stream, in stream order.</summary>
    Task OnNextAsync(TEvent item);

    /// <summary>
    /// Events may have been lost (the subscription was re-established, or the cluster's membership
    /// changed under it): fetch from the truth what the stream did not bring.
    /// </summary>
    Task CatchUpAsync();
}
