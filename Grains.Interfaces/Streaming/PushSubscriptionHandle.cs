using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Cryb.Streaming;

/// <summary>
/// One local subscription: its observer receives the stream's items one at a time, in order. The
/// client's consumer processes pushes one after another for every stream, so a subscriber that
/// waits (a gap fill asks the owner for the truth) must hold up only its own stream: items queue
/// here behind it, and run on the consumer's thread, with no hop, while it keeps up.
/// </summary>
internal sealed partial class PushSubscriptionHandle<T>(PushStreamProvider provider, StreamId streamId, IAsyncObserver<T> observer, ILogger logger)
    : StreamSubscriptionHandle<T>, IPushedBatchTarget
{
    private readonly Lock _lock = new();
    private readonly Queue<IReadOnlyList<object>> _waiting = new();
    private bool _running;

    public override StreamId StreamId => streamId;

    public override string ProviderName => provider.Name;

    public override Guid HandleId { get; } = Guid.NewGuid();

    public override Task UnsubscribeAsync() => provider.UnsubscribeAsync(this);

    public override Task<StreamSubscriptionHandle<T>> ResumeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token = null) =>
        throw new NotSupportedException("Push stream subscriptions cannot be resumed: subscribe again.");

    public override Task<StreamSubscriptionHandle<T>> ResumeAsync(IAsyncBatchObserver<T> observer, StreamSequenceToken? token = null) =>
        throw new NotSupportedException("Push stream subscriptions cannot be resumed: subscribe again.");

    public override bool Equals(StreamSubscriptionHandle<T>? other) => other is not null && other.HandleId == HandleId;

    public override bool Equals(object? obj) => obj is StreamSubscriptionHandle<T> other && Equals(other);

    public override int GetHashCode() => HandleId.GetHashCode();

    public bool Queue(IReadOnlyList<object> items)
    {
        lock (_lock)
        {
            _waiting.Enqueue(items);
            if (_running)
            {
                return false;
            }

            _running = true;
            return true;
        }
    }

    public void Start() => _ = RunAsync();

    private async Task RunAsync()
    {
        while (true)
        {
            IReadOnlyList<object>? items;
            lock (_lock)
            {
                if (!_waiting.TryDequeue(out items))
                {
                    _running = false;
                    return;
                }
            }

            foreach (var item in items)
            {
                try
                {
                    await observer.OnNextAsync((T)item);
                }
                catch (Exception ex)
                {
                    // One failed item must not stop the stream for the items after it.
                    LogObserverFailed(ex, streamId);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A subscriber of {StreamId} failed on a pushed item")]
    private partial void LogObserverFailed(Exception exception, StreamId streamId);
}
