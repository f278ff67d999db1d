using Cryb.Channels;
using Cryb.Grains.Notifications;
using Cryb.Grains.Storage;
using Cryb.Messages;

namespace Cryb.Grains.Messages;

/// <summary>
/// The message store as grains see it: every command through the <see cref="StorageGuard"/>, so a
/// command that met a connection PostgreSQL had already closed runs once more (reads after any
/// broken connection, writes only when the failure proves they took no effect) and a storage
/// failure that remains is refused as <c>storage_unavailable</c>. New messages go to the silo's
/// <see cref="MessageWriter"/>, which guards each transaction it commits.
/// </summary>
public sealed class ResilientMessageStore(PostgresMessageStore inner, MessageWriter writer, StorageGuard guard) : IMessageStore
{
    public Task<long> GetLatestSeqAsync(string channelId, CancellationToken cancellationToken) =>
        guard.ReadAsync(() => inner.GetLatestSeqAsync(channelId, cancellationToken), channelId);

    public Task<StoredAppend> AppendAsync(string channelId, long afterSeq, IReadOnlyList<ChatMessage> messages, IReadOnlyList<NotificationDraft> notifications) =>
        writer.AppendAsync(channelId, afterSeq, messages, notifications);

    public Task<IReadOnlyList<RecentMessage>> GetRecentAsync(string channelId, int limit) =>
        guard.ReadAsync(() => inner.GetRecentAsync(channelId, limit), channelId);

    public Task<ChatMessage?> GetAsync(string channelId, Guid messageId) =>
        guard.ReadAsync(() => inner.GetAsync(channelId, messageId), channelId);

    public Task<IReadOnlyList<ChatMessage>> GetManyAsync(string channelId, IReadOnlyCollection<Guid> messageIds) =>
        guard.ReadAsync(() => inner.GetManyAsync(channelId, messageIds), channelId);

    public Task<IReadOnlyList<ChatMessage>> FindByNoncesAsync(string channelId, IReadOnlyCollection<(string AuthorId, string Nonce)> keys) =>
        guard.ReadAsync(() => inner.FindByNoncesAsync(channelId, keys), channelId);

    public Task EditAsync(string channelId, Guid messageId, string content, IReadOnlyList<string> mentions, DateTimeOffset editedAt, long revisionSeq) =>
        guard.WriteAsync(() => inner.EditAsync(channelId, messageId, content, mentions, editedAt, revisionSeq), channelId);

    public Task DeleteAsync(string channelId, Guid messageId, long revisionSeq) =>
        guard.WriteAsync(() => inner.DeleteAsync(channelId, messageId, revisionSeq), channelId);

    public Task<(bool Added, IReadOnlyList<WrittenNotification> Notified)> AddReactionAsync(
        string channelId, Guid messageId, string emoji, string userId, long revisionSeq, IReadOnlyList<NotificationDraft> notifications) =>
        guard.WriteAsync(() => inner.AddReactionAsync(channelId, messageId, emoji, userId, revisionSeq, notifications), channelId);

    public Task<bool> RemoveReactionAsync(string channelId, Guid messageId, string emoji, string userId, long revisionSeq) =>
        guard.WriteAsync(() => inner.RemoveReactionAsync(channelId, messageId, emoji, userId, revisionSeq), channelId);

    public Task<IReadOnlyList<ReactionSummary>> GetReactionsAsync(Guid messageId) =>
        guard.ReadAsync(() => inner.GetReactionsAsync(messageId), messageId);

    public Task<IReadOnlyList<ChatMessage>> GetChangedAfterAsync(string channelId, long afterSeq, int limit) =>
        guard.ReadAsync(() => inner.GetChangedAfterAsync(channelId, afterSeq, limit), channelId);

    public Task<IReadOnlyList<ChatMessage>> GetBeforeAsync(string channelId, long beforeSeq, int limit) =>
        guard.ReadAsync(() => inner.GetBeforeAsync(channelId, beforeSeq, limit), channelId);

    public Task<int> CountUnreadAsync(string channelId, long afterSeq, string readerId, int cap) =>
        guard.ReadAsync(() => inner.CountUnreadAsync(channelId, afterSeq, readerId, cap), channelId);

    public Task<IReadOnlyList<ChatMessage>> GetByAuthorSinceAsync(string channelId, string authorId, DateTimeOffset since, int limit) =>
        guard.ReadAsync(() => inner.GetByAuthorSinceAsync(channelId, authorId, since, limit), channelId);

    public Task DeleteChannelAsync(string channelId) =>
        guard.WriteAsync(() => inner.DeleteChannelAsync(channelId), channelId);
}
