using Cryb.Channels;
using Cryb.Grains.Notifications;
using Cryb.Messages;

namespace Cryb.Grains.Messages;

/// <summary>
/// Message history and reactions in PostgreSQL, written only by the owning channel grain. The
/// tables, not grain state, are the truth for a channel's seq: every change takes the next seq as
/// the changed message's <c>revision_seq</c>.
/// </summary>
public interface IMessageStore
{
    /// <summary>The channel's latest seq (the highest revision_seq), 0 if none.</summary>
    Task<long> GetLatestSeqAsync(string channelId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores new messages of one channel (all or none), at consecutive seqs after
    /// <paramref name="afterSeq"/> in list order, skipping each whose author already stored its
    /// nonce (a resend: it takes no seq), and completes once they are committed: in a transaction
    /// that may hold other channels' messages too. Returns the stored ones with their seqs, in seq
    /// order. Throws <see cref="SeqAlreadyTakenException"/> if another activation wrote in the
    /// meantime; the other channels of the transaction are not held back by it.
    /// </summary>
    /// <param name="messages">New messages: no two with the same author and nonce; their seqs are ignored.</param>
    /// <param name="notifications">What the messages notify, written in the same transaction (<see cref="ChannelAppend.Notifications"/>).</param>
    Task<StoredAppend> AppendAsync(string channelId, long afterSeq, IReadOnlyList<ChatMessage> messages, IReadOnlyList<NotificationDraft> notifications);

    Task<ChatMessage?> GetAsync(string channelId, Guid messageId);

    /// <summary>The channel's messages with these ids, tombstones included, without reactions: what replies quote.</summary>
    Task<IReadOnlyList<ChatMessage>> GetManyAsync(string channelId, IReadOnlyCollection<Guid> messageIds);

    /// <summary>The stored messages of the channel with these (author, nonce) pairs.</summary>
    Task<IReadOnlyList<ChatMessage>> FindByNoncesAsync(string channelId, IReadOnlyCollection<(string AuthorId, string Nonce)> keys);

    /// <summary>Replaces content and mentions at <paramref name="revisionSeq"/>.</summary>
    Task EditAsync(string channelId, Guid messageId, string content, IReadOnlyList<string> mentions, DateTimeOffset editedAt, long revisionSeq);

    /// <summary>Leaves a tombstone at <paramref name="revisionSeq"/>: content, mentions and reactions are gone.</summary>
    Task DeleteAsync(string channelId, Guid messageId, long revisionSeq);

    /// <summary>
    /// Adds the reaction at <paramref name="revisionSeq"/>, with the notifications it causes, in one
    /// transaction; false (no seq used, nothing notified) if the user already had it.
    /// </summary>
    Task<(bool Added, IReadOnlyList<WrittenNotification> Notified)> AddReactionAsync(
        string channelId, Guid messageId, string emoji, string userId, long revisionSeq, IReadOnlyList<NotificationDraft> notifications);

    /// <summary>Removes the reaction at <paramref name="revisionSeq"/>; false (and no seq used) if there was none.</summary>
    Task<bool> RemoveReactionAsync(string channelId, Guid messageId, string emoji, string userId, long revisionSeq);

    Task<IReadOnlyList<ReactionSummary>> GetReactionsAsync(Guid messageId);

    /// <summary>Messages changed after <paramref name="afterSeq"/>, tombstones included, in revision order.</summary>
    Task<IReadOnlyList<ChatMessage>> GetChangedAfterAsync(string channelId, long afterSeq, int limit);

    /// <summary>The channel's last <paramref name="limit"/> messages, deleted ones included, oldest first.</summary>
    Task<IReadOnlyList<RecentMessage>> GetRecentAsync(string channelId, int limit);

    /// <summary>Messages with seq below <paramref name="beforeSeq"/>, newest first, without deleted ones.</summary>
    Task<IReadOnlyList<ChatMessage>> GetBeforeAsync(string channelId, long beforeSeq, int limit);

    /// <summary>Messages after <paramref name="afterSeq"/> not written by <paramref name="readerId"/>, counted up to <paramref name="cap"/>.</summary>
    Task<int> CountUnreadAsync(string channelId, long afterSeq, string readerId, int cap);

    /// <summary>The author's messages not deleted and written since <paramref name="since"/>, at most <paramref name="limit"/>, oldest first.</summary>
    Task<IReadOnlyList<ChatMessage>> GetByAuthorSinceAsync(string channelId, string authorId, DateTimeOffset since, int limit);

    /// <summary>Deletes the channel's messages and reactions.</summary>
    Task DeleteChannelAsync(string channelId);
}

/// <summary>The seq (or a nonce) was already stored by another activation of the same channel.</summary>
public sealed class SeqAlreadyTakenException : Exception
{
    public SeqAlreadyTakenException(string channelId, long seq, Exception inner)
        : base($"Seq {seq} of channel {channelId} is already stored.", inner)
    {
    }

    /// <summary>
    /// One of several channels written in one transaction met a seq or nonce already stored: which
    /// one is known only by writing them apart.
    /// </summary>
    public SeqAlreadyTakenException(IReadOnlyCollection<string> channelIds, Exception inner)
        : base($"A seq or nonce of one of {channelIds.Count} channels written together is already stored.", inner)
    {
    }
}
