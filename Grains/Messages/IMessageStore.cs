using Cryb.Messages;

namespace Cryb.Grains.Messages;

/// <summary>
/// Message history in PostgreSQL, written only by the owning channel grain. The table, not grain
/// state, is the truth for a channel's seq.
/// </summary>
public interface IMessageStore
{
    /// <summary>The highest seq stored for the channel, 0 if none.</summary>
    Task<long> GetLatestSeqAsync(string channelId, CancellationToken cancellationToken);

    /// <summary>Stores the message durably; throws <see cref="SeqAlreadyTakenException"/> if its seq exists.</summary>
    Task AppendAsync(ChatMessage message);

    Task<ChatMessage?> FindByNonceAsync(string channelId, string authorId, string nonce);

    Task<bool> ExistsAsync(string channelId, Guid messageId);

    /// <summary>Messages with seq above <paramref name="afterSeq"/>, oldest first.</summary>
    Task<IReadOnlyList<ChatMessage>> GetAfterAsync(string channelId, long afterSeq, int limit);

    /// <summary>Messages with seq below <paramref name="beforeSeq"/>, newest first.</summary>
    Task<IReadOnlyList<ChatMessage>> GetBeforeAsync(string channelId, long beforeSeq, int limit);
}

/// <summary>The seq was already stored by another activation of the same channel.</summary>
public sealed class SeqAlreadyTakenException(string channelId, long seq, Exception inner)
    : Exception($"Seq {seq} of channel {channelId} is already stored.", inner);
