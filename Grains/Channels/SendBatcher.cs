using Cryb.Grains.Telemetry;

namespace Cryb.Grains.Channels;

/// <summary>
/// Group commit for one channel activation's sends. Sends queue in the order the grain accepted
/// them; a single writer takes everything queued (up to <paramref name="maxBatch"/>) and hands it to
/// <paramref name="commit"/>, which stores the batch in one transaction and answers each send. While
/// a batch is written, new sends queue for the next one, so under load a batch holds what arrived
/// during the previous commit: one commit per round trip instead of one per message.
/// </summary>
/// <remarks>
/// Used only on the activation's scheduler (one thread at a time), so it needs no locks. The
/// grain's other calls <see cref="PauseAsync">pause</see> the writer: they run between batches,
/// never during one, which keeps their seq claims and events in order with the sends'.
/// </remarks>
internal sealed class SendBatcher(Func<IReadOnlyList<PendingSend>, Task> commit, int maxBatch)
{
    private readonly Queue<PendingSend> _queued = new();
    private Task _writer = Task.CompletedTask;
    private bool _writing;
    private int _pauses;

    /// <summary>Queues the send and completes when its batch is committed (or refused).</summary>
    public Task<Cryb.Messages.ChatMessage> SendAsync(PendingSend send)
    {
        _queued.Enqueue(send);
        StartWriter();
        return send.Completion;
    }

    /// <summary>
    /// Waits for the batch being written, if any, and starts no other until the returned pause is
    /// disposed. Sends keep queueing meanwhile.
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
                var batch = new List<PendingSend>(Math.Min(_queued.Count, maxBatch));
                while (batch.Count < maxBatch && _queued.TryDequeue(out var send))
                {
                    batch.Add(send);
                }

                try
                {
                    // In the first send's context, so the INSERT's span belongs to that send's trace.
                    await CapturedContext.Run(batch[0].Context, () => commit(batch));
                }
                catch (Exception ex)
                {
                    // commit answers every send itself; this only reaches those it could not.
                    foreach (var send in batch)
                    {
                        send.Refuse(ex);
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

    /// <summary>Lets batches start again when disposed.</summary>
    public readonly struct Pause(SendBatcher batcher) : IDisposable
    {
        public void Dispose() => batcher.Resume();
    }
}
