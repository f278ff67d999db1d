using System.Diagnostics;
using Cryb.Grains.Notifications;
using Cryb.Grains.Storage;
using Cryb.Grains.Telemetry;
using Cryb.Messages;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cryb.Grains.Messages;

/// <summary>
/// The silo's writer of new messages: group commit across channels. Each channel grain hands
/// over its batch of sends (one batch per channel at a time) and waits; while a transaction is being
/// committed, every channel's batches queue, and the next transaction takes all of them (up to
/// <see cref="MaxRows"/>) in one statement. A channel that sees a few sends a second would otherwise
/// commit alone: a transaction of one row costs PostgreSQL 0.16 to 0.27 ms of CPU on the 2-core
/// development machine, and each further row in a shared one 0.02 to 0.03 ms. A batch that notifies
/// many users (<see cref="OwnLaneFromDrafts"/>) commits in a second lane, so that its long
/// transaction holds up no other channel's sends.
/// </summary>
/// <remarks>
/// Each channel's seqs, gaplessness and resends are the statement's business
/// (<see cref="AppendStatement"/>); each channel is answered only after the commit. A seq another
/// activation took fails only its own channel: the transaction is split and written again until the
/// channel in conflict is alone. A storage failure fails every channel of the transaction.
/// </remarks>
public sealed class MessageWriter([FromKeyedServices(MessageWriter.DataSourceKey)] NpgsqlDataSource dataSource, StorageGuard guard, SiloMetrics metrics)
{
    /// <summary>The key of the writer's own <see cref="NpgsqlDataSource"/> among the silo's services.</summary>
    public const string DataSourceKey = "cryb.messages.append";

    /// <summary>
    /// Rows per transaction at most, though a channel's batch (up to 256 sends) is never split:
    /// bounds one statement's parameters and latency. Past about 50 rows a transaction's fixed cost
    /// is a small share of its CPU (PostgreSQL spent 24 µs per row at 50 rows, 22 µs at 500, against
    /// 160 to 270 µs for a row alone), so larger batches would buy little.
    /// </summary>
    public const int MaxRows = 512;

    /// <summary>
    /// Transactions in flight at once. A second one splits what queues into smaller batches and was
    /// no cheaper or faster at the fanout shape: 0.30 and 0.43 ms of PostgreSQL CPU per send at 300
    /// sends/s against 0.19 to 0.41 with one, and saturated throughput within the shared machine's
    /// noise either way.
    /// </summary>
    public const int MaxInFlight = 1;

    /// <summary>
    /// Drafts from which a channel's batch commits in a lane of its own: an <c>@everyone</c> in a
    /// channel of 1,000 writes 999 notification rows and counters in its transaction (about 10 ms
    /// of PostgreSQL's time), and in the shared transaction every other channel's sends waited on
    /// them. Its own lane keeps the message and its notifications in one transaction, as before,
    /// while the other channels' group commits go on beside it. A batch with a few notifications (a
    /// mention, a reply) stays in the shared one.
    /// </summary>
    public const int OwnLaneFromDrafts = 100;

    private readonly CommitLane _shared = new();
    private readonly CommitLane _notifying = new();

    /// <summary>
    /// The channels with messages in the writer: in a transaction in flight or waiting for the next.
    /// The batch in flight may hold several channels (those that queued together), so the queue alone
    /// does not say how many channels wait.
    /// </summary>
    public int WaitingChannels => _shared.WaitingChannels + _notifying.WaitingChannels;

    /// <summary>Queues one channel's new messages for the next transaction; see <see cref="IMessageStore.AppendAsync"/>.</summary>
    public Task<StoredAppend> AppendAsync(string channelId, long afterSeq, IReadOnlyList<ChatMessage> messages, IReadOnlyList<NotificationDraft>? notifications = null)
    {
        var append = new PendingAppend(new ChannelAppend(channelId, afterSeq, messages, notifications ?? []));
        metrics.AppendsQueued(1);
        var lane = append.Append.Notifications.Count >= OwnLaneFromDrafts ? _notifying : _shared;
        if (lane.Enqueue(append))
        {
            // The writer outlives the call that starts it: it must not carry that call's context (its
            // trace, Orleans' request context) into every later transaction.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(() => WriteWhileQueuedAsync(lane));
            }
        }

        return append.Stored;
    }

    private async Task WriteWhileQueuedAsync(CommitLane lane)
    {
        while (lane.TakeBatch() is { Count: > 0 } batch)
        {
            metrics.AppendsQueued(-batch.Count);
            try
            {
                // In the first channel's grain call, so the INSERT's span belongs to that send's trace.
                await CapturedContext.Run(batch[0].Context, () => CommitAsync(batch));
            }
            catch (Exception ex)
            {
                // CommitAsync answers every channel itself; this only reaches those it could not,
                // and keeps the writer alive for the next batch.
                batch.ForEach(append => append.Fail(ex));
            }
        }
    }

    private async Task CommitAsync(List<PendingAppend> batch)
    {
        StoredAppend[] stored;
        var started = Stopwatch.GetTimestamp();
        try
        {
            stored = await guard.WriteAsync(
                () => AppendStatement.ExecuteAsync(dataSource, batch.Select(append => append.Append).ToArray()),
                batch.Count == 1 ? batch[0].Append.ChannelId : $"{batch.Count} channels");
        }
        catch (SeqAlreadyTakenException) when (batch.Count > 1)
        {
            // Another activation (a zombie after a partition) wrote one of these channels. Halves
            // are written apart until the channel in conflict is alone: a few transactions more,
            // and only that channel is refused.
            var half = batch.Count / 2;
            await CommitAsync(batch[..half]);
            await CommitAsync(batch[half..]);
            return;
        }
        catch (Exception ex)
        {
            batch.ForEach(append => append.Fail(ex));
            return;
        }

        metrics.Appended(Stopwatch.GetElapsedTime(started), rows: stored.Sum(append => append.Messages.Count), channels: batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Complete(stored[i]);
        }
    }

    /// <summary>
    /// Channels' batches waiting for one writer, which commits them a transaction at a time
    /// (<see cref="MaxInFlight"/>), each transaction taking everything queued up to <see cref="MaxRows"/>.
    /// </summary>
    private sealed class CommitLane
    {
        private readonly Lock _lock = new();
        private readonly Queue<PendingAppend> _queued = new();
        private int _writing;
        private IReadOnlyList<PendingAppend> _inFlight = [];

        public int WaitingChannels
        {
            get
            {
                lock (_lock)
                {
                    return _queued.Concat(_inFlight).Select(append => append.Append.ChannelId).Distinct().Count();
                }
            }
        }

        /// <summary>Queues the batch; true if the caller must start a writer (none runs for this lane).</summary>
        public bool Enqueue(PendingAppend append)
        {
            lock (_lock)
            {
                _queued.Enqueue(append);
                if (_writing == MaxInFlight)
                {
                    return false;
                }

                _writing++;
                return true;
            }
        }

        /// <summary>Everything queued, up to <see cref="MaxRows"/>; empty (and the writer stops) when nothing is.</summary>
        public List<PendingAppend> TakeBatch()
        {
            lock (_lock)
            {
                var batch = new List<PendingAppend>();
                var rows = 0;
                while (_queued.TryPeek(out var next) && (batch.Count == 0 || rows + next.Append.Messages.Count <= MaxRows))
                {
                    batch.Add(_queued.Dequeue());
                    rows += next.Append.Messages.Count;
                }

                if (batch.Count == 0)
                {
                    _writing--;
                }

                _inFlight = batch;
                return batch;
            }
        }
    }
}
