using Cryb.Grains.Storage;
using Cryb.Errors;
using Cryb.Grains.Messages;
using Cryb.Messages;

namespace Cryb.Grains.Channels;

/// <summary>
/// A send the channel grain accepted and queued for the next group commit: checked for what does
/// not depend on the channel's state (content, nonce, ids), waiting for its batch to be written.
/// </summary>
internal sealed class PendingSend(string authorId, string content, string? nonce, Guid? replyToId) : IQueuedWork
{
    // Continuations run on the grain's scheduler after the batch is done, never inside the writer.
    private readonly TaskCompletionSource<ChatMessage> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A send of <paramref name="authorId"/>, or a refusal of what is wrong with the request itself.</summary>
    public static PendingSend Validated(string authorId, SendMessageRequest request) =>
        new(
            authorId,
            MessageRules.ValidateContent(request.Content),
            MessageRules.ValidateNonce(request.Nonce),
            request.ReplyToId is null ? null : MessageRules.ParseMessageId(request.ReplyToId, ErrorCodes.ReplyNotFound));

    public string AuthorId { get; } = authorId;
    public string Content { get; } = content;
    public string? Nonce { get; } = nonce;
    public Guid? ReplyToId { get; } = replyToId;

    /// <summary>The sender's execution context (its trace), so the batch it leads is written in it.</summary>
    public ExecutionContext? Context { get; } = ExecutionContext.Capture();

    public Task<ChatMessage> Completion => _completion.Task;

    /// <summary>Answers the sender: the message is durable (or was, for a resent nonce).</summary>
    public void Acknowledge(ChatMessage message) => _completion.TrySetResult(message);

    /// <summary>Refuses the sender; a send already answered keeps its answer.</summary>
    public void Refuse(Exception refusal) => _completion.TrySetException(refusal);

    /// <summary>Answers this copy of <paramref name="first"/> (the same nonce in one batch, stored once) as that was answered.</summary>
    public void AnswerAs(PendingSend first)
    {
        switch (first.Completion)
        {
            case { IsCompletedSuccessfully: true } acknowledged:
                Acknowledge(acknowledged.Result);
                break;
            case { Exception.InnerException: { } refusal }:
                Refuse(refusal);
                break;
            default:
                throw new InvalidOperationException("A copy of a send is answered only once the send itself is.");
        }
    }
}
