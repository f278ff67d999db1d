using Orleans.Streams;

namespace Cryb.Streaming;

/// <summary>One push stream: publish in a grain, subscribe on a client (<see cref="PushStreamProvider"/>).</summary>
internal sealed class PushStream<T>(StreamId streamId, PushStreamProvider provider) : IAsyncStream<T>
{
    private IStreamOwnerExtension? _owner;

    public StreamId StreamId => streamId;

    public string ProviderName => provider.Name;

    public bool IsRewindable => false;

    // A grain keeps its stream for its lifetime: the owner's reference is made once.
    private IStreamOwnerExtension Owner => _owner ??= provider.OwnerOf(streamId);

    public Task OnNextAsync(T item, StreamSequenceToken? token = null) =>
        provider.PublishAsync(streamId, Owner, [item!]);

    public Task OnNextBatchAsync(IEnumerable<T> batch, StreamSequenceToken? token = null) =>
        provider.PublishAsync(streamId, Owner, batch.Cast<object>().ToArray());

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer) =>
        provider.SubscribeAsync(streamId, observer);

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token, string? filterData = null) =>
        token is null && filterData is null
            ? provider.SubscribeAsync(streamId, observer)
            : throw new NotSupportedException("Push streams are not rewindable and take no filter.");

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncBatchObserver<T> observer) =>
        throw new NotSupportedException("Push streams take item observers; each pushed batch reaches them item by item.");

    public Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncBatchObserver<T> observer, StreamSequenceToken? token) =>
        SubscribeAsync(observer);

    public Task<IList<StreamSubscriptionHandle<T>>> GetAllSubscriptionHandles() => provider.GetHandlesAsync<T>(streamId);

    public bool Equals(IAsyncStream<T>? other) => other is not null && other.StreamId == streamId && other.ProviderName == ProviderName;

    public override bool Equals(object? obj) => obj is IAsyncStream<T> other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(streamId, ProviderName);

    public int CompareTo(IAsyncStream<T>? other) => other is null ? 1 : streamId.CompareTo(other.StreamId);
}
