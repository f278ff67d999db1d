using Cryb.Grains.Telemetry;

namespace Cryb.Grains.Storage;

/// <summary>Work a <see cref="GroupCommitQueue{T}"/> holds: the caller's context, and a way to refuse it.</summary>
internal interface IQueuedWork
{
    /// <summary>The caller's execution context (its trace), so the batch it leads is committed in it.</summary>
    ExecutionContext? Context { get; }

    /// <summary>Refuses the work; work already answered keeps its answer.</summary>
    void Refuse(Exception refusal);
}

/// <summary>
/// Group commit for one grain activation: a channel's sends, a server's voice calls. Work queues in
/// the order the grain accepted it; a single writer takes what is queued (up to
/// <paramref name="maxBatch"/>) and hands it to <paramref name="commit"/>, which decides the batch in
/// that order, stores it in one transaction and answers each. While a batch is written, new work
/// queues for the next one, so under load a batch holds what arrived during the previous commit: one
/// commit per round trip instead of one per call.
/// </summary>
/// <param name="batchKey">
/// If given, a batch holds at most one item per key: it ends before the first item whose key is
/// already in it. That keeps the queue's order (nothing is taken out of turn), and the later item is
/// decided against the state the earlier one left, in the next batch.
/// </param>
/// <remarks>
/// Used only on the activation's scheduler (one thread at a time), so it needs no locks. The
/// grain's other calls <see cref="PauseAsync">pause</see> the writer: they run between batches,
/// never during one, which keeps their changes and events in order with the batches'.
/// </remarks>
internal sealed class GroupCommitQueue<T>(Func<IReadOnlyList<T>, Task> commit, int maxBatch, Func<T, string>? batchKey = null)
    where T : IQueuedWork
{
    private readonly Queue<T> _queued = new();
    private Task _writer = Task.CompletedTask;
    private bool _writing;
    private int _pauses;

    /// <summary>Queues the work for the next batch; the work's own task completes when its batch is committed (or refused).</summary>
    public void Enqueue(T work)
    {
        _queued.Enqueue(work);
        StartWriter();
    }

    /// <summary>
    /// Waits for the batch being written, if any, and starts no other until the returned pause is
    /// disposed. Work keeps queueing meanwhile.
    /// </summary>
    public async ValueTask<Pause> PauseAsync()
    {
        _pauses++;
        if (_writing)
        {
            await _writer;
        }

        return new Pause(this);
    }

    private void Resume()
    {
        _pauses--;
        StartWriter();
    }

    private void StartWriter()
    {
        if (_writing || _pauses > 0 || _queued.Count == 0)
        {
            return;
        }

        _writing = true;
        _writer = WriteWhileQueuedAsync();
    }

    private async Task WriteWhileQueuedAsync()
    {
        try
        {
            while (_pauses == 0 && _queued.Count > 0)
            {
                var batch = TakeBatch();
                try
                {
                    // In the first item's context, so the batch's spans belong to that call's trace.
                    await CapturedContext.Run(batch[0].Context, () => commit(batch));
                }
                catch (Exception ex)
                {
                    // commit answers every item itself; this only reaches those it could not.
                    foreach (var work in batch)
                    {
                        work.Refuse(ex);
                    }
                }
            }
        }
        finally
        {
            // Set before _writer is assigned when the loop finishes synchronously: nothing to await then.
            _writing = false;
        }
    }

    private List<T> TakeBatch()
    {
        var batch = new List<T>(Math.Min(_queued.Count, maxBatch));
        var keys = batchKey is null ? null : new HashSet<string>(StringComparer.Ordinal);
        while (batch.Count < maxBatch && _queued.TryPeek(out var next) && (keys is null || keys.Add(batchKey!(next))))
        {
            batch.Add(_queued.Dequeue());
        }

        return batch;
    }

    /// <summary>Lets batches start again when disposed.</summary>
    public readonly struct Pause(GroupCommitQueue<T> queue) : IDisposable
    {
        public void Dispose() => queue.Resume();
    }
}
