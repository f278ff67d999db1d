using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Messages;
using Cryb.Grains.Storage;
using Cryb.Identity;
using Cryb.Messages;
using Microsoft.Extensions.Logging;

namespace Cryb.Grains.Channels;

/// <summary>
/// Sends, committed in groups. <see cref="SendMessage"/> interleaves with the grain's other calls
/// (it is <c>[AlwaysInterleave]</c>) only to queue the send on the activation's
/// <see cref="SendBatcher"/> and wait; <see cref="CommitSendsAsync"/> writes what has queued in one
/// transaction (the silo's <see cref="MessageWriter"/> shares it with other channels' batches) and
/// answers each send only after its row is committed. One commit per message
/// cannot keep up with a busy channel (a commit waits for the WAL flush, about 2 ms on this
/// machine's disk, so a channel topped out near 100 sends/s); one per batch can.
/// </summary>
public sealed partial class ChannelGrain
{
    /// <summary>
    /// Sends per batch at most: bounds the channel's share of a transaction of the silo's
    /// <see cref="MessageWriter"/> and its latency. A batch holds what queued during the previous
    /// commit, usually far fewer: with 64 to 200 concurrent senders into one channel on the 2-core
    /// development machine, batches averaged 20 to 60.
    /// </summary>
    private const int MaxSendBatch = 256;

    private SendBatcher _sends = null!;

    public Task<ChatMessage> SendMessage(Caller caller, SendMessageRequest request)
    {
        // Nothing awaited before the send is queued: its place in the queue is the order in which
        // the grain took the calls, and that order becomes seq order. These checks refuse early;
        // what depends on the channel's state is checked again when the batch is taken.
        RequireMember(caller);
        var content = MessageRules.ValidateContent(request.Content);
        var nonce = MessageRules.ValidateNonce(request.Nonce);
        Guid? replyToId = request.ReplyToId is null ? null : MessageRules.ParseMessageId(request.ReplyToId, ErrorCodes.ReplyNotFound);
        return _sends.SendAsync(new PendingSend(caller.MemberId, content, nonce, replyToId));
    }

    /// <summary>
    /// Commits one batch of sends: the moment each send in it takes effect. What depends on the
    /// channel's state (membership, the replied-to message) is checked now, since other calls may
    /// have changed it while the send queued; the rest get consecutive seqs in queue order in one
    /// transaction, their events are published in seq order, and only then is each acknowledged.
    /// If storage fails, every send of the batch is refused with <c>storage_unavailable</c> and no
    /// seq is used. Runs between the grain's other calls, never during one (see <see cref="Invoke"/>).
    /// </summary>
    private async Task CommitSendsAsync(IReadOnlyList<PendingSend> batch)
    {
        var sends = new List<PendingSend>(batch.Count);
        foreach (var send in batch)
        {
            if (HasMember(send.AuthorId, out _))
            {
                sends.Add(send);
            }
            else
            {
                send.Refuse(NotAMemberRefusal());
            }
        }

        var replies = await QuoteRepliedMessagesAsync(sends);

        // A nonce sent twice in one batch (a resend racing the original) is stored once: later
        // copies get the first one's answer.
        var firstByNonce = new Dictionary<(string AuthorId, string Nonce), PendingSend>();
        var copies = new List<(PendingSend Copy, PendingSend First)>();
        var drafts = new List<(PendingSend Send, ChatMessage Message)>(sends.Count);
        var createdAt = Now();
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
            var stored = await ClaimingSeqsAsync(() => messages.AppendAsync(ChannelId, _latestSeq, drafts.Select(d => d.Message).ToArray()));
            var storedById = stored.ToDictionary(message => message.Id);
            if (stored.Count > 0)
            {
                _latestSeq = stored[^1].Seq;
                await PublishCreatedAsync(stored);
            }

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
            if (first.Completion.IsCompletedSuccessfully)
            {
                copy.Acknowledge(first.Completion.Result);
            }
            else
            {
                copy.Refuse(first.Completion.Exception?.InnerException ?? StorageFailures.Unavailable());
            }
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

        var replied = await StoringAsync(() => messages.GetManyAsync(ChannelId, repliedIds));
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
            ChannelId: ChannelId,
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
    /// Publishes the batch's <see cref="MessageCreated"/> events in seq order as one stream batch
    /// (one enqueue, and one delivery call per subscribing gateway, instead of one per message).
    /// </summary>
    private async Task PublishCreatedAsync(IReadOnlyList<ChatMessage> stored)
    {
        metrics.MessagesSent(stored.Count);
        var committedAt = time.GetUtcNow();
        try
        {
            await _events.OnNextBatchAsync(stored.Select(message => new MessageCreated(message) { CommittedAt = committedAt }).ToArray());
        }
        catch (Exception ex)
        {
            // The rows are committed, which is what an acknowledgement promises: acknowledge them.
            // A subscriber sees the seq gap at the next event and catches up with JoinChannel.
            LogPublishFailed(ex, ChannelId, stored[0].Seq, stored[^1].Seq);
        }

        // One-way: sending ends the author's typing without waiting on the typing grain.
        var typing = GrainFactory.GetGrain<Cryb.Typing.ITypingGrain>(ChannelId);
        foreach (var authorId in stored.Select(message => message.AuthorId).Distinct())
        {
            _ = typing.StopOnSend(authorId);
        }
    }

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
            originals = await StoringAsync(() => messages.FindByNoncesAsync(ChannelId, resent.Select(send => (send.AuthorId, send.Nonce!)).ToArray()));
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing messages {FromSeq}..{ToSeq} of channel {ChannelId} failed; they are stored")]
    private partial void LogPublishFailed(Exception exception, string channelId, long fromSeq, long toSeq);
}
