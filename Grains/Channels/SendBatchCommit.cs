using Cryb.Errors;
using Cryb.Grains.Messages;
using Cryb.Grains.Notifications;
using Cryb.Grains.Storage;
using Cryb.Messages;

namespace Cryb.Grains.Channels;

/// <summary>
/// One batch of sends, committed: the moment each send in it takes effect. What depends on the
/// channel's state (membership, the replied-to message) is checked now, since other calls may have
/// changed it while the send queued; the rest get consecutive seqs in queue order in one
/// transaction (<see cref="ChannelLog.AppendAsync"/>), their events are published in seq order,
/// and only then is each acknowledged. If storage fails, the store refuses with
/// <c>storage_unavailable</c>, every send of the batch gets that refusal, and no seq is used.
/// </summary>
internal sealed class SendBatchCommit(
    ChannelLog log, IMessageStore messages, Func<string, ChatException?> sendRefusal,
    Func<IReadOnlyList<ChatMessage>, Task<IReadOnlyList<NotificationDraft>>> notify)
{
    public async Task CommitAsync(IReadOnlyList<PendingSend> batch)
    {
        var sends = new List<PendingSend>(batch.Count);
        foreach (var send in batch)
        {
            if (sendRefusal(send.AuthorId) is { } refusal)
            {
                send.Refuse(refusal);
            }
            else
            {
                sends.Add(send);
            }
        }

        var replies = await QuoteRepliedMessagesAsync(sends);

        // A nonce sent twice in one batch (a resend racing the original) is stored once: later
        // copies get the first one's answer.
        var firstByNonce = new Dictionary<(string AuthorId, string Nonce), PendingSend>();
        var copies = new List<(PendingSend Copy, PendingSend First)>();
        var drafts = new List<(PendingSend Send, ChatMessage Message)>(sends.Count);
        var createdAt = log.Time.GetUtcNowInMicroseconds();
        foreach (var send in sends)
        {
            if (send.Nonce is { } nonce && !firstByNonce.TryAdd((send.AuthorId, nonce), send))
            {
                copies.Add((send, firstByNonce[(send.AuthorId, nonce)]));
                continue;
            }

            drafts.Add((send, Draft(send, send.ReplyToId is { } repliedId ? replies[repliedId] : null, createdAt)));
        }

        if (drafts.Count > 0)
        {
            var newMessages = drafts.Select(d => d.Message).ToArray();
            // Decided now, against the membership the batch is checked against, and written in its
            // transaction: a committed message always has its notifications.
            var stored = await log.AppendAsync(newMessages, await notify(newMessages));
            var storedById = stored.ToDictionary(message => message.Id);
            var resent = new List<PendingSend>();
            foreach (var (send, draft) in drafts)
            {
                if (storedById.TryGetValue(draft.Id, out var message))
                {
                    send.Acknowledge(message);
                }
                else
                {
                    resent.Add(send);
                }
            }

            await AnswerWithOriginalsAsync(resent);
        }

        foreach (var (copy, first) in copies)
        {
            copy.AnswerAs(first);
        }
    }

    /// <summary>
    /// What each reply in the batch quotes, read in one query; replies to a message that is gone
    /// are refused and dropped from <paramref name="sends"/>.
    /// </summary>
    private async Task<Dictionary<Guid, ReplyPreview>> QuoteRepliedMessagesAsync(List<PendingSend> sends)
    {
        var repliedIds = sends.Where(send => send.ReplyToId is not null).Select(send => send.ReplyToId!.Value).ToHashSet();
        if (repliedIds.Count == 0)
        {
            return [];
        }

        var replied = await messages.GetManyAsync(log.ChannelId, repliedIds);
        var quotes = replied.Where(message => !message.Deleted).ToDictionary(
            message => Guid.Parse(message.Id),
            message => new ReplyPreview(message.Id, message.AuthorId, MessageRules.Excerpt(message.Content)));
        foreach (var send in sends.Where(send => send.ReplyToId is { } id && !quotes.ContainsKey(id)))
        {
            send.Refuse(new ChatException(ErrorCodes.ReplyNotFound, "The replied-to message is not in this channel."));
        }

        sends.RemoveAll(send => send.Completion.IsCompleted);
        return quotes;
    }

    private ChatMessage Draft(PendingSend send, ReplyPreview? replyTo, DateTimeOffset createdAt) =>
        new(
            Id: Guid.CreateVersion7().ToString(),
            ChannelId: log.ChannelId,
            Seq: 0, // the store numbers the batch
            AuthorId: send.AuthorId,
            Content: send.Content,
            Nonce: send.Nonce,
            ReplyToId: replyTo?.MessageId,
            CreatedAt: createdAt,
            EditedAt: null,
            RevisionSeq: 0,
            Deleted: false,
            Mentions: MessageRules.ParseMentions(send.Content),
            ReplyTo: replyTo,
            Reactions: []);

    /// <summary>
    /// Sends whose nonce their author had already stored: answered with the original message, as
    /// the first time, with nothing stored or published.
    /// </summary>
    private async Task AnswerWithOriginalsAsync(List<PendingSend> resent)
    {
        if (resent.Count == 0)
        {
            return;
        }

        IReadOnlyList<ChatMessage> originals;
        try
        {
            originals = await messages.FindByNoncesAsync(log.ChannelId, resent.Select(send => (send.AuthorId, send.Nonce!)).ToArray());
        }
        catch (ChatException refusal)
        {
            // Only these fail: the batch's new messages are committed and acknowledged already.
            resent.ForEach(send => send.Refuse(refusal));
            return;
        }

        var byNonce = originals.ToDictionary(message => (message.AuthorId, message.Nonce!));
        foreach (var send in resent)
        {
            if (byNonce.TryGetValue((send.AuthorId, send.Nonce!), out var original))
            {
                send.Acknowledge(original);
            }
            else
            {
                send.Refuse(StorageFailures.Unavailable());
            }
        }
    }
}
