using Cryb.Grains.Telemetry;

namespace Cryb.Grains.Voice;

/// <summary>
/// Group commit for a server's voice calls, as <see cref="Channels.SendBatcher"/> is for a channel's
/// sends. Calls queue in the order the grain accepted them; a single writer takes what is queued
/// and hands it to <paramref name="commit"/>, which decides the batch in that order, stores it in
/// one commit and answers each call. While a batch is written, new calls queue for the next one:
/// under load one commit per round trip instead of one (or two) per call.
/// </summary>
/// <remarks>
/// A batch holds at most one call per user: it ends before the first call of a user already in it.
/// That keeps the queue's order (nothing is taken out of turn), and a user's next call is decided
/// against the state the previous one left, with its presence binding done, in the next batch.
/// Used only on the activation's scheduler (one thread at a time), so it needs no locks. The
/// grain's other calls <see cref="PauseAsync">pause</see> the writer: they run between batches.
/// </remarks>
internal sealed class VoiceCallQueue(Func<IReadOnlyList<VoiceCall>, Task> commit, int maxBatch)
{
    private readonly Queue<VoiceCall> _queued = new();
    private Task _writer = Task.CompletedTask;
    private bool _writing;
    private int _pauses;

    /// <summary>Queues the call and completes with its answer once its batch is committed (or refused).</summary>
    public Task<object?> CallAsync(VoiceCall call)
    {
        _queued.Enqueue(call);
        StartWriter();
        return call.Answer;
    }

    /// <summary>
    /// Waits for the batch being written, if any, and starts no other until the returned pause is
    /// disposed. Calls keep queueing meanwhile.
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
                var batch = new List<VoiceCall>(Math.Min(_queued.Count, maxBatch));
                var users = new HashSet<string>(StringComparer.Ordinal);
                while (batch.Count < maxBatch && _queued.TryPeek(out var next) && users.Add(next.UserId))
                {
                    batch.Add(_queued.Dequeue());
                }

                try
                {
                    // In the first call's context, so the batch's spans belong to that call's trace.
                    await CapturedContext.Run(batch[0].Context, () => commit(batch));
                }
                catch (Exception ex)
                {
                    // commit answers every call itself; this only reaches those it could not.
                    foreach (var call in batch)
                    {
                        call.Refuse(ex);
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
    public readonly struct Pause(VoiceCallQueue queue) : IDisposable
    {
        public void Dispose() => queue.Resume();
    }
}
