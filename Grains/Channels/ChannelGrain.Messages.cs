using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Messages;
using Cryb.Grains.Storage;
using Cryb.Identity;
using Cryb.Messages;
using Microsoft.Extensions.Logging;

namespace Cryb.Grains.Channels;

/// <summary>
/// Changes to messages (edits, deletions, reactions) and history. Each change is stored at the next
/// seq, then published; these calls run between send batches, so <c>_latestSeq</c> holds still
/// while they claim it. Sends are in <c>ChannelGrain.Sends.cs</c>.
/// </summary>
public sealed partial class ChannelGrain
{
    public async Task<ChatMessage> EditMessage(Caller caller, string messageId, string content)
    {
        RequireMember(caller);
        var message = await RequireMessageAsync(messageId);
        if (message.AuthorId != caller.MemberId)
        {
            throw Forbidden("Only the author can edit a message.");
        }

        var validContent = MessageRules.ValidateContent(content);
        var mentions = MessageRules.ParseMentions(validContent);
        var seq = _latestSeq + 1;
        var editedAt = Now();
        await StoreAtNextSeqAsync(seq, () => messages.EditAsync(ChannelId, Guid.Parse(message.Id), validContent, mentions, editedAt, seq));
        var edited = message with { Content = validContent, Mentions = mentions, EditedAt = editedAt, RevisionSeq = seq };
        await PublishAsync(new MessageEdited(edited));
        return edited;
    }

    public async Task DeleteMessage(Caller caller, string messageId)
    {
        var role = RequireMember(caller);
        var message = await RequireMessageAsync(messageId);
        if (message.AuthorId != caller.MemberId && role < ChannelRole.Admin)
        {
            throw Forbidden("Only the author, an admin or the owner can delete a message.");
        }

        var seq = _latestSeq + 1;
        await StoreAtNextSeqAsync(seq, () => messages.DeleteAsync(ChannelId, Guid.Parse(message.Id), seq));
        await PublishAsync(new MessageDeleted(ChannelId, message.Id, seq));
    }

    public async Task<IReadOnlyList<ReactionSummary>> AddReaction(Caller caller, string messageId, string emoji)
    {
        RequireMember(caller);
        var validEmoji = MessageRules.ValidateEmoji(emoji);
        var message = await RequireMessageAsync(messageId);
        if (message.Reactions.Count >= MessageLimits.MaxReactionsPerMessage && message.Reactions.All(r => r.Emoji != validEmoji))
        {
            throw new ChatException(ErrorCodes.TooManyReactions, $"A message has at most {MessageLimits.MaxReactionsPerMessage} different reactions.");
        }

        return await ChangeReactionAsync(message, seq => messages.AddReactionAsync(ChannelId, Guid.Parse(message.Id), validEmoji, caller.MemberId, seq));
    }

    public async Task<IReadOnlyList<ReactionSummary>> RemoveReaction(Caller caller, string messageId, string emoji)
    {
        RequireMember(caller);
        var validEmoji = MessageRules.ValidateEmoji(emoji);
        var message = await RequireMessageAsync(messageId);
        return await ChangeReactionAsync(message, seq => messages.RemoveReactionAsync(ChannelId, Guid.Parse(message.Id), validEmoji, caller.MemberId, seq));
    }

    public async Task<IReadOnlyList<ChatMessage>> GetHistory(Caller caller, long? beforeSeq, int limit)
    {
        RequireMember(caller);
        var pageSize = Math.Clamp(limit, 1, ChannelLimits.MaxHistoryPage);
        return await messages.GetBeforeAsync(ChannelId, beforeSeq ?? long.MaxValue, pageSize);
    }

    /// <summary>
    /// Adding what is already there, or removing what is not, changes nothing: no seq, no event.
    /// </summary>
    private async Task<IReadOnlyList<ReactionSummary>> ChangeReactionAsync(ChatMessage message, Func<long, Task<bool>> change)
    {
        var seq = _latestSeq + 1;
        var changed = false;
        await StoreAtNextSeqAsync(seq, async () => changed = await change(seq), advance: () => changed);
        var reactions = await messages.GetReactionsAsync(Guid.Parse(message.Id));
        if (changed)
        {
            await PublishAsync(new ReactionsUpdated(ChannelId, message.Id, seq, reactions));
        }

        return reactions;
    }

    private async Task<ChatMessage> RequireMessageAsync(string messageId)
    {
        var id = MessageRules.ParseMessageId(messageId, ErrorCodes.MessageNotFound);
        var message = await messages.GetAsync(ChannelId, id);
        return message is { Deleted: false }
            ? message
            : throw new ChatException(ErrorCodes.MessageNotFound, "No such message in this channel.");
    }

    /// <summary>
    /// Runs a store operation that claims <paramref name="seq"/> and advances the channel's seq once
    /// it is durable. Storage failures become <c>storage_unavailable</c>; nothing is acknowledged.
    /// </summary>
    private async Task StoreAtNextSeqAsync(long seq, Func<Task> store, Func<bool>? advance = null)
    {
        await ClaimingSeqsAsync(async () =>
        {
            await store();
            return true;
        });
        if (advance?.Invoke() ?? true)
        {
            _latestSeq = seq;
        }
    }

    /// <summary>
    /// Runs a store operation that claims seqs after <c>_latestSeq</c>. If another activation of
    /// this channel (a zombie after a partition) wrote one of them, the table is the truth: catch up
    /// with it and let the client retry (with its nonce). Nothing is overwritten.
    /// </summary>
    private async Task<T> ClaimingSeqsAsync<T>(Func<Task<T>> store)
    {
        try
        {
            return await StoringAsync(store);
        }
        catch (SeqAlreadyTakenException)
        {
            _latestSeq = await StoringAsync(() => messages.GetLatestSeqAsync(ChannelId, CancellationToken.None));
            throw new ChatException(ErrorCodes.StorageUnavailable, "The channel moved on; retry.");
        }
    }

    /// <summary>Runs a storage call; its failures become <c>storage_unavailable</c> (storage exceptions have no Orleans codec).</summary>
    private async Task<T> StoringAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is not (ChatException or SeqAlreadyTakenException))
        {
            LogStorageFailed(ex, ChannelId);
            throw StorageFailures.Unavailable();
        }
    }
}
