using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Messages;
using Cryb.Identity;
using Cryb.Messages;
using Cryb.Users;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Cryb.Grains.Channels;

/// <summary>
/// Owns a channel's membership and gapless message sequence. Not reentrant: calls run one at a
/// time, so seq allocation needs no lock and a message is appended before the next one starts.
/// </summary>
public sealed partial class ChannelGrain(
    [PersistentState("channel", StorageNames.Default)] IPersistentState<ChannelState> state,
    IMessageStore messages,
    TimeProvider time,
    ILogger<ChannelGrain> logger) : Grain, IChannelGrain
{
    private long _latestSeq;
    private IAsyncStream<ChannelEvent> _events = null!;

    private string ChannelId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _events = this.GetStreamProvider(StreamNames.Provider)
            .GetStream<ChannelEvent>(StreamId.Create(StreamNames.Channel, ChannelId));
        if (state.State.Exists)
        {
            _latestSeq = await messages.GetLatestSeqAsync(ChannelId, cancellationToken);
        }
    }

    public async Task<ChannelInfo> Create(Caller caller, string name, bool isPrivate)
    {
        var validName = ChannelRules.ValidateName(name);
        if (state.State.Exists)
        {
            throw new ChatException(ErrorCodes.ChannelExists, "A channel with this id already exists.");
        }

        state.State = new ChannelState
        {
            Exists = true,
            Name = validName,
            IsPrivate = isPrivate,
            OwnerId = caller.Id,
            CreatedAt = Now(),
            Members = [caller.Id],
        };
        await state.WriteOrRefuseAsync(this, logger);
        var info = Info();
        await GrainFactory.GetGrain<IUserGrain>(caller.Id).AddChannel(info);
        LogChannelCreated(ChannelId, caller.Id);
        return info;
    }

    public async Task<JoinResult> Join(Caller caller, long? sinceSeq)
    {
        EnsureExists();
        if (!state.State.Members.Contains(caller.Id))
        {
            // Private channels take members by invitation only (the messaging issue adds invites).
            if (state.State.IsPrivate)
            {
                throw NotFound();
            }

            state.State.Members.Add(caller.Id);
            await state.WriteOrRefuseAsync(this, logger);
            await GrainFactory.GetGrain<IUserGrain>(caller.Id).AddChannel(Info());
        }

        var missed = Array.Empty<ChatMessage>() as IReadOnlyList<ChatMessage>;
        var truncated = false;
        if (sinceSeq is { } since && since < _latestSeq)
        {
            var page = await messages.GetAfterAsync(ChannelId, Math.Max(0, since), ChannelLimits.MaxMissedOnJoin + 1);
            truncated = page.Count > ChannelLimits.MaxMissedOnJoin;
            missed = truncated ? page.Take(ChannelLimits.MaxMissedOnJoin).ToArray() : page;
        }

        return new JoinResult(Info(), _latestSeq, missed, truncated);
    }

    public async Task<ChatMessage> SendMessage(Caller caller, SendMessageRequest request)
    {
        EnsureMember(caller);
        var content = MessageRules.ValidateContent(request.Content);
        var nonce = MessageRules.ValidateNonce(request.Nonce);

        if (nonce is not null && await messages.FindByNonceAsync(ChannelId, caller.Id, nonce) is { } original)
        {
            // A resend of an acknowledged message: answer as the first time, store and broadcast nothing.
            return original;
        }

        Guid? replyTo = null;
        if (request.ReplyToId is not null)
        {
            replyTo = MessageRules.ParseMessageId(request.ReplyToId, ErrorCodes.ReplyNotFound);
            if (!await messages.ExistsAsync(ChannelId, replyTo.Value))
            {
                throw new ChatException(ErrorCodes.ReplyNotFound, "The replied-to message is not in this channel.");
            }
        }

        var message = new ChatMessage(
            Id: Guid.CreateVersion7().ToString(),
            ChannelId: ChannelId,
            Seq: _latestSeq + 1,
            AuthorId: caller.Id,
            Content: content,
            Nonce: nonce,
            ReplyToId: replyTo?.ToString(),
            CreatedAt: Now(),
            EditedAt: null);

        await AppendAsync(message);
        _latestSeq = message.Seq;
        await _events.OnNextAsync(new MessageCreated(message));
        return message;
    }

    public async Task<IReadOnlyList<ChatMessage>> GetHistory(Caller caller, long? beforeSeq, int limit)
    {
        EnsureMember(caller);
        var pageSize = Math.Clamp(limit, 1, ChannelLimits.MaxHistoryPage);
        return await messages.GetBeforeAsync(ChannelId, beforeSeq ?? long.MaxValue, pageSize);
    }

    public Task<ChannelInfo> GetInfo(Caller caller)
    {
        EnsureMember(caller);
        return Task.FromResult(Info());
    }

    private async Task AppendAsync(ChatMessage message)
    {
        try
        {
            await messages.AppendAsync(message);
        }
        catch (SeqAlreadyTakenException)
        {
            // Another activation of this channel (a zombie after a partition) wrote this seq. The
            // table is the truth: catch up with it and let the client retry with its nonce.
            _latestSeq = await messages.GetLatestSeqAsync(ChannelId, CancellationToken.None);
            throw new ChatException(ErrorCodes.StorageUnavailable, "The channel moved on; retry the send.");
        }
        catch (Exception ex) when (ex is not ChatException)
        {
            LogAppendFailed(ex, ChannelId, message.Seq);
            throw new ChatException(ErrorCodes.StorageUnavailable, "The message could not be stored; retry the send.");
        }
    }

    // PostgreSQL keeps microseconds: truncating here makes the acknowledged message equal the stored one.
    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }

    private ChannelInfo Info() =>
        new(ChannelId, state.State.Name, state.State.IsPrivate, state.State.OwnerId, state.State.CreatedAt);

    private void EnsureExists()
    {
        if (!state.State.Exists)
        {
            throw NotFound();
        }
    }

    private void EnsureMember(Caller caller)
    {
        // A non-member gets the same answer as for a channel that does not exist, so ids cannot be probed.
        if (!state.State.Exists || !state.State.Members.Contains(caller.Id))
        {
            throw state.State.Exists && !state.State.IsPrivate
                ? new ChatException(ErrorCodes.NotAMember, "Join the channel first.")
                : NotFound();
        }
    }

    private static ChatException NotFound() => new(ErrorCodes.ChannelNotFound, "No such channel.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId} created by {UserId}")]
    private partial void LogChannelCreated(string channelId, string userId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Appending message seq {Seq} to channel {ChannelId} failed")]
    private partial void LogAppendFailed(Exception exception, string channelId, long seq);
}
