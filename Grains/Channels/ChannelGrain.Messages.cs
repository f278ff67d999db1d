using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Messages;
using Cryb.Identity;
using Cryb.Messages;
using Microsoft.Extensions.Logging;

namespace Cryb.Grains.Channels;

/// <summary>Messages and reactions of a channel: each change is stored at the next seq, then published.</summary>
public sealed partial class ChannelGrain
{
    public async Task<ChatMessage> SendMessage(Caller caller, SendMessageRequest request)
    {
        RequireMember(caller);
        var content = MessageRules.ValidateContent(request.Content);
        var nonce = MessageRules.ValidateNonce(request.Nonce);

        if (nonce is not null && await messages.FindByNonceAsync(ChannelId, caller.MemberId, nonce) is { } original)
        {
            // A resend of an acknowledged message: answer as the first time, store and broadcast nothing.
            return original;
        }

        ReplyPreview? replyTo = null;
        if (request.ReplyToId is not null)
        {
            var repliedId = MessageRules.ParseMessageId(request.ReplyToId, ErrorCodes.ReplyNotFound);
            var replied = await messages.GetAsync(ChannelId, repliedId);
            if (replied is null || replied.Deleted)
            {
                throw new ChatException(ErrorCodes.ReplyNotFound, "The replied-to message is not in this channel.");
            }

            replyTo = new ReplyPreview(replied.Id, replied.AuthorId, MessageRules.Excerpt(replied.Content));
        }

        var seq = _latestSeq + 1;
        var message = new ChatMessage(
            Id: Guid.CreateVersion7().ToString(),
            ChannelId: ChannelId,
            Seq: seq,
            AuthorId: caller.MemberId,
            Content: content,
            Nonce: nonce,
            ReplyToId: replyTo?.MessageId,
            CreatedAt: Now(),
            EditedAt: null,
            RevisionSeq: seq,
            Deleted: false,
            Mentions: MessageRules.ParseMentions(content),
            ReplyTo: replyTo,
            Reactions: []);

        await StoreAtNextSeqAsync(seq, () => messages.AppendAsync(message));
        metrics.MessageSent();
        await PublishAsync(new MessageCreated(message));
        // One-way: sending ends the author's typing without waiting on the typing grain.
        _ = GrainFactory.GetGrain<Cryb.Typing.ITypingGrain>(ChannelId).StopOnSend(caller.MemberId);
        return message;
    }

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
        try
        {
            await store();
        }
        catch (SeqAlreadyTakenException)
        {
            // Another activation of this channel (a zombie after a partition) wrote this seq. The
            // table is the truth: catch up with it and let the client retry (with its nonce).
            _latestSeq = await messages.GetLatestSeqAsync(ChannelId, CancellationToken.None);
            throw new ChatException(ErrorCodes.StorageUnavailable, "The channel moved on; retry.");
        }
        catch (Exception ex) when (ex is not ChatException)
        {
            LogStorageFailed(ex, ChannelId);
            throw StorageUnavailable();
        }

        if (advance?.Invoke() ?? true)
        {
            _latestSeq = seq;
        }
    }
}
