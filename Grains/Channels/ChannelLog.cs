using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Messages;
using Cryb.Grains.Notifications;
using Cryb.Grains.Storage;
using Cryb.Grains.Telemetry;
using Cryb.Messages;
using Cryb.Notifications;
using Cryb.Typing;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Cryb.Grains.Channels;

/// <summary>
/// A channel's log: its gapless seq, the changes stored at it (sends, edits, deletions,
/// reactions), and their events published on the channel's stream in seq order, each only once it
/// is durable. Sends queue on a <see cref="GroupCommitQueue{T}"/> and are committed in groups
/// (<see cref="SendBatchCommit"/>); every other change runs between two batches, so the seq needs
/// no lock. One commit per message cannot keep up with a busy channel (a commit waits for the WAL
/// flush, about 2 ms on this machine's disk, so a channel topped out near 100 sends/s); one per
/// batch can.
/// </summary>
/// <remarks>
/// Used only on its grain activation's scheduler. The seq is not grain state: it is recovered from
/// the messages table (<see cref="LoadAsync"/>), so a message costs one row, not a state write.
/// </remarks>
internal sealed partial class ChannelLog
{
    /// <summary>
    /// Sends per batch at most: bounds the channel's share of a transaction of the silo's
    /// <see cref="MessageWriter"/> and its latency. A batch holds what queued during the previous
    /// commit, usually far fewer: with 64 to 200 concurrent senders into one channel on the 2-core
    /// development machine, batches averaged 20 to 60.
    /// </summary>
    private const int MaxSendBatch = 256;

    private readonly string _channelId;
    private readonly IMessageStore _messages;
    private readonly IAsyncStream<ChannelEvent> _events;
    private readonly ITypingGrain _typing;
    private readonly SiloMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GroupCommitQueue<PendingSend> _sends;
    private readonly Func<WrittenNotification, Task> _announce;

    /// <param name="sendRefusal">Why an author may no longer send (null if they may), asked when their send's batch is committed.</param>
    /// <param name="notify">What a batch's new messages notify, asked as it is committed (<see cref="MessageNotifications"/>).</param>
    /// <param name="announce">Tells a user's connections of a personal notification (<see cref="Notification.ReachesMany"/>), once committed.</param>
    public ChannelLog(
        string channelId, IMessageStore messages, IAsyncStream<ChannelEvent> events, ITypingGrain typing,
        Func<string, ChatException?> sendRefusal, Func<IReadOnlyList<ChatMessage>, Task<IReadOnlyList<NotificationDraft>>> notify,
        Func<WrittenNotification, Task> announce, SiloMetrics metrics, TimeProvider time, ILogger logger)
    {
        (_channelId, _messages, _events, _typing, _metrics, _time, _logger) = (channelId, messages, events, typing, metrics, time, logger);
        _announce = announce;
        _sends = new GroupCommitQueue<PendingSend>(batch => new SendBatchCommit(this, messages, sendRefusal, notify).CommitAsync(batch), MaxSendBatch);
    }

    public string ChannelId => _channelId;

    public TimeProvider Time => _time;

    /// <summary>The seq of the channel's latest stored change; 0 before any (or once the channel is deleted).</summary>
    public long LatestSeq { get; private set; }

    /// <summary>Reads the seq from the messages table: what the last activation (or another) committed.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken) =>
        LatestSeq = await _messages.GetLatestSeqAsync(_channelId, cancellationToken);

    /// <summary>Queues the send and completes when its batch is committed (or refused).</summary>
    public Task<ChatMessage> SendAsync(PendingSend send)
    {
        _sends.Enqueue(send);
        return send.Completion;
    }

    /// <summary>
    /// Waits for the batch of sends being committed and holds the next one back until disposed: a
    /// change made meanwhile claims its seq after the sends accepted before it and publishes in order
    /// with theirs, and sends that queue meanwhile are checked against the state it leaves.
    /// </summary>
    public ValueTask<GroupCommitQueue<PendingSend>.Pause> PauseSendsAsync() => _sends.PauseAsync();

    /// <summary>The stored message, unless it is deleted or in another channel: <c>message_not_found</c>.</summary>
    public async Task<ChatMessage> GetLiveMessageAsync(string messageId)
    {
        var id = MessageRules.ParseMessageId(messageId, ErrorCodes.MessageNotFound);
        var message = await _messages.GetAsync(_channelId, id);
        return message is { Deleted: false }
            ? message
            : throw new ChatException(ErrorCodes.MessageNotFound, "No such message in this channel.");
    }

    public async Task<ChatMessage> EditAsync(ChatMessage message, string content)
    {
        var mentions = MessageRules.ParseMentions(content);
        var seq = LatestSeq + 1;
        var editedAt = _time.GetUtcNowInMicroseconds();
        await ClaimingSeqsAsync(() => _messages.EditAsync(_channelId, Guid.Parse(message.Id), content, mentions, editedAt, seq));
        LatestSeq = seq;
        var edited = message with { Content = content, Mentions = mentions, EditedAt = editedAt, RevisionSeq = seq };
        await PublishAsync(new MessageEdited(edited));
        return edited;
    }

    public async Task DeleteAsync(ChatMessage message)
    {
        var seq = LatestSeq + 1;
        await ClaimingSeqsAsync(() => _messages.DeleteAsync(_channelId, Guid.Parse(message.Id), seq));
        LatestSeq = seq;
        await PublishAsync(new MessageDeleted(_channelId, message.Id, seq));
    }

    /// <summary>Adds the reaction and writes <paramref name="notification"/> (if any) with it; returns the reactions and what was notified.</summary>
    public async Task<(IReadOnlyList<ReactionSummary> Reactions, IReadOnlyList<WrittenNotification> Notified)> AddReactionAsync(
        ChatMessage message, string emoji, string memberId, NotificationDraft? notification)
    {
        IReadOnlyList<WrittenNotification> notified = [];
        var reactions = await ChangeReactionAsync(message, async seq =>
        {
            var (added, written) = await _messages.AddReactionAsync(_channelId, Guid.Parse(message.Id), emoji, memberId, seq, notification is null ? [] : [notification]);
            notified = written;
            return added;
        });
        return (reactions, notified);
    }

    public Task<IReadOnlyList<ReactionSummary>> RemoveReactionAsync(ChatMessage message, string emoji, string memberId) =>
        ChangeReactionAsync(message, seq => _messages.RemoveReactionAsync(_channelId, Guid.Parse(message.Id), emoji, memberId, seq));

    /// <summary>Deletes every message of the channel; the seq starts again at 0.</summary>
    public async Task DeleteAllAsync()
    {
        await _messages.DeleteChannelAsync(_channelId);
        LatestSeq = 0;
    }

    /// <summary>Publishes a change already stored (in the log or in the channel's state), stamped with the time of its commit.</summary>
    public Task PublishAsync(ChannelEvent channelEvent) =>
        _events.OnNextAsync(channelEvent with { CommittedAt = _time.GetUtcNow() });

    /// <summary>
    /// Stores new messages at the next seqs, in list order, and publishes them: what a batch of sends
    /// commits. Returns those stored, in seq order; a message whose author had already stored its
    /// nonce is left out (it takes no seq).
    /// </summary>
    public async Task<IReadOnlyList<ChatMessage>> AppendAsync(IReadOnlyList<ChatMessage> drafts, IReadOnlyList<NotificationDraft> notifications)
    {
        var stored = await ClaimingSeqsAsync(() => _messages.AppendAsync(_channelId, LatestSeq, drafts, notifications));
        if (stored.Messages.Count > 0)
        {
            LatestSeq = stored.Messages[^1].Seq;
            await PublishCreatedAsync(stored);
        }

        return stored.Messages;
    }

    /// <summary>
    /// The messages changed after <paramref name="afterSeq"/>, each once in its latest state, in
    /// revision order, at most <paramref name="pageSize"/>, and whether there were more.
    /// </summary>
    public async Task<(IReadOnlyList<ChatMessage> Changes, bool Truncated)> ChangesAfterAsync(long afterSeq, int pageSize)
    {
        if (afterSeq >= LatestSeq)
        {
            return ([], false);
        }

        var page = await _messages.GetChangedAfterAsync(_channelId, Math.Max(0, afterSeq), pageSize + 1);
        var truncated = page.Count > pageSize;
        return (truncated ? page.Take(pageSize).ToArray() : page, truncated);
    }

    /// <summary>Messages before <paramref name="beforeSeq"/> (or the newest), newest first, without deleted ones.</summary>
    public Task<IReadOnlyList<ChatMessage>> HistoryAsync(long? beforeSeq, int pageSize) =>
        _messages.GetBeforeAsync(_channelId, beforeSeq ?? long.MaxValue, pageSize);

    /// <summary>Messages after <paramref name="lastReadSeq"/> by others than the reader, up to <see cref="ChannelLimits.UnreadCountCap"/>.</summary>
    public async Task<int> CountUnreadAsync(long lastReadSeq, string readerId) =>
        lastReadSeq >= LatestSeq ? 0 : await _messages.CountUnreadAsync(_channelId, lastReadSeq, readerId, ChannelLimits.UnreadCountCap);

    /// <summary>The last messages as a gateway keeps them, and the latest seq they show.</summary>
    public async Task<(IReadOnlyList<RecentMessage> Recent, long LatestSeq)> RecentAsync()
    {
        // One more than a gateway keeps: it tells whether older messages exist.
        var recent = await _messages.GetRecentAsync(_channelId, ChannelLimits.UnreadCountCap + 1);
        // A send committed while the messages were read is listed already, and counts.
        return (recent, Math.Max(LatestSeq, recent.Count > 0 ? recent[^1].Seq : 0));
    }

    /// <summary>
    /// Adding what is already there, or removing what is not, changes nothing: no seq, no event.
    /// </summary>
    private async Task<IReadOnlyList<ReactionSummary>> ChangeReactionAsync(ChatMessage message, Func<long, Task<bool>> change)
    {
        var seq = LatestSeq + 1;
        var changed = await ClaimingSeqsAsync(() => change(seq));
        if (changed)
        {
            LatestSeq = seq;
        }

        var reactions = await _messages.GetReactionsAsync(Guid.Parse(message.Id));
        if (changed)
        {
            await PublishAsync(new ReactionsUpdated(_channelId, message.Id, seq, reactions));
        }

        return reactions;
    }

    /// <summary>
    /// Runs a store operation that claims seqs after <see cref="LatestSeq"/>. If another activation
    /// of this channel (a zombie after a partition) wrote one of them, the table is the truth: catch
    /// up with it and let the client retry (with its nonce). Nothing is overwritten.
    /// </summary>
    private async Task<T> ClaimingSeqsAsync<T>(Func<Task<T>> store)
    {
        try
        {
            return await store();
        }
        catch (SeqAlreadyTakenException)
        {
            LatestSeq = await _messages.GetLatestSeqAsync(_channelId, CancellationToken.None);
            throw new ChatException(ErrorCodes.StorageUnavailable, "The channel moved on; retry.");
        }
    }

    private Task ClaimingSeqsAsync(Func<Task> store) =>
        ClaimingSeqsAsync(async () =>
        {
            await store();
            return true;
        });

    /// <summary>
    /// Publishes the batch's <see cref="MessageCreated"/> events in seq order as one stream batch
    /// (one enqueue, and one delivery call per subscribing gateway, instead of one per message).
    /// </summary>
    private async Task PublishCreatedAsync(StoredAppend append)
    {
        var stored = append.Messages;
        _metrics.MessagesSent(stored.Count);
        _metrics.NotificationsCreated(append.Notifications);
        var committedAt = _time.GetUtcNow();
        var notified = append.Notifications.Where(n => Notification.ReachesMany(n.Notification.Kind))
            .ToLookup(n => n.Notification.MessageId!, n => n.AsNotified());
        try
        {
            await _events.OnNextBatchAsync(stored
                .Select(message => new MessageCreated(message) { CommittedAt = committedAt, Notified = notified[message.Id].ToArray() })
                .ToArray());
        }
        catch (Exception ex)
        {
            // The rows are committed, which is what an acknowledgement promises: acknowledge them.
            // A subscriber sees the seq gap at the next event and catches up with JoinChannel.
            LogPublishFailed(ex, _channelId, stored[0].Seq, stored[^1].Seq);
        }

        // The batch's answers wait for these: users' streams in parallel (a message may name 50),
        // each user's notifications in seq order.
        await Task.WhenAll(append.Notifications
            .Where(n => !Notification.ReachesMany(n.Notification.Kind))
            .GroupBy(n => n.UserId)
            .Select(AnnounceInOrderAsync));

        // One-way: sending ends the author's typing without waiting on the typing grain.
        foreach (var authorId in stored.Select(message => message.AuthorId).Distinct())
        {
            _ = _typing.StopOnSend(authorId);
        }
    }

    private async Task AnnounceInOrderAsync(IEnumerable<WrittenNotification> personal)
    {
        foreach (var written in personal)
        {
            try
            {
                await _announce(written);
            }
            catch (Exception ex)
            {
                // Stored with the message: the user finds it in the inbox (ResumeNotifications).
                LogAnnounceFailed(ex, written.UserId, written.Notification.Seq);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling user {UserId} of notification {Seq} failed; it is stored")]
    private partial void LogAnnounceFailed(Exception exception, string userId, long seq);

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing messages {FromSeq}..{ToSeq} of channel {ChannelId} failed; they are stored")]
    private partial void LogPublishFailed(Exception exception, string channelId, long fromSeq, long toSeq);
}
