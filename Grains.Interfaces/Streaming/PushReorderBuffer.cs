namespace Cryb.Streaming;

/// <summary>
/// Puts one subscription's pushes back in the order the owner numbered them (1, 2, ...): Orleans
/// may deliver a later message before an earlier one (the first message to a client can wait for
/// its route while the next one already finds it). A push that arrives early waits here until the
/// ones before it come, or until they are given up for lost.
/// </summary>
internal sealed class PushReorderBuffer
{
    private readonly SortedDictionary<long, StreamBatch> _early = [];
    private Guid _subscriptionId;
    private long _next = 1;

    /// <summary>Whether pushes wait for an earlier one.</summary>
    public bool Waiting => _early.Count > 0;

    /// <summary>A new registration with the owner: its pushes count from 1.</summary>
    public void Reset(Guid subscriptionId)
    {
        _subscriptionId = subscriptionId;
        _next = 1;
        _early.Clear();
    }

    /// <summary>Takes a push; adds to <paramref name="ready"/> what can go out now, in order.</summary>
    public void Add(Guid subscriptionId, long number, StreamBatch batch, List<StreamBatch> ready)
    {
        if (subscriptionId != _subscriptionId || number < _next)
        {
            // From an earlier registration, or given up for lost already: late, and the subscriber
            // (which knows its events' seqs) decides what it is worth.
            ready.Add(batch);
            return;
        }

        if (number > _next)
        {
            _early[number] = batch;
            return;
        }

        ready.Add(batch);
        _next++;
        Drain(ready);
    }

    /// <summary>
    /// Gives up on the pushes missing before the earliest one waiting, and lets that one and those
    /// right after it out; returns how many were given up.
    /// </summary>
    public long SkipMissing(List<StreamBatch> ready)
    {
        if (_early.Count == 0)
        {
            return 0;
        }

        var first = _early.Keys.First();
        var skipped = first - _next;
        _next = first;
        Drain(ready);
        return skipped;
    }

    private void Drain(List<StreamBatch> ready)
    {
        while (_early.Remove(_next, out var batch))
        {
            ready.Add(batch);
            _next++;
        }
    }
}
