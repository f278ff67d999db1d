using Cryb.Channels;
using Cryb.Messages;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// One channel's events on this gateway, delivered in seq order with nothing missing: the stream
/// is the wake-up call, the channel grain (PostgreSQL) the truth. The feed remembers the last seq it
/// delivered; an event further ahead means events were lost on the way (a silo died with them
/// queued), so the changes in between are fetched from the channel grain and delivered first. An
/// event at or below it was already delivered by such a fill and is dropped.
/// </summary>
/// <remarks>
/// A fill delivers each changed message once, in its latest state: created ones as
/// <c>MessageCreated</c> (at their seq), deleted ones as <c>MessageDeleted</c>, changed ones as
/// <c>MessageEdited</c> (at their revision seq). A change superseded by a later one of the same
/// message has no event of its own any more; the later one carries the message's whole state.
/// The feed knows nothing before its first event or its view: a subscription starts from whatever
/// comes next. The feed also holds the channel's <see cref="LocalChannelView"/>, read from the grain
/// at the first <c>Ready</c> that lists the channel here and kept current by the events delivered,
/// so later connects are answered from memory.
/// </remarks>
public sealed partial class ChannelFeed(string channelId, ChatFanout fanout, ILogger logger) : IStreamTarget<ChannelEvent>
{
    /// <summary>Changes asked for per call, as many as a join returns.</summary>
    private const int PageSize = ChannelLimits.MaxMissedOnJoin;

    /// <summary>
    /// A fill reads at most this many pages (5000 changes). A gateway further behind gives up the
    /// rest: its clients see the jump in seq and resume with <c>JoinChannel</c>, as after any gap.
    /// </summary>
    private const int MaxPages = 10;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private long? _last;
    private LocalChannelView? _view;

    public async Task OnNextAsync(ChannelEvent item)
    {
        await _gate.WaitAsync();
        try
        {
            if (SeqOf(item) is not { } seq)
            {
                // Membership, typing and presence carry no seq; in order with the rest all the same.
                await DeliverAsync(item);
                return;
            }

            if (_last is { } last)
            {
                if (seq <= last)
                {
                    return; // Delivered already, by a fill.
                }

                if (seq > last + 1)
                {
                    LogGap(channelId, last, seq);
                    try
                    {
                        await FillAsync(upTo: seq - 1, "gap");
                    }
                    catch (Exception ex)
                    {
                        // Still deliver what came: clients see the jump in seq and resume with
                        // JoinChannel themselves, as the protocol tells them to.
                        LogFillFailed(ex, channelId);
                    }
                }
            }

            await DeliverAsync(item);
            _last = seq;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task CatchUpAsync()
    {
        await _gate.WaitAsync();
        try
        {
            // Events that never came may have changed a role or the channel: read the view again
            // at the next Ready.
            _view = null;
            if (_last is not null)
            {
                await FillAsync(upTo: long.MaxValue, "catch_up");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The channel as <paramref name="userId"/>'s <c>Ready</c> lists it, from the view (read from
    /// the grain the first time); null when the channel is gone. Under the gate, after the
    /// connection joined the channel's group: every event after the latest seq it reports reaches
    /// the connection.
    /// </summary>
    public async Task<ChannelSummary?> SummaryForAsync(string userId, long lastReadSeq)
    {
        await _gate.WaitAsync();
        try
        {
            if (_view is null)
            {
                if (await fanout.FetchViewAsync(channelId) is not { } view)
                {
                    return null;
                }

                _view = new LocalChannelView(view);
            }

            var summary = _view.SummaryFor(userId, lastReadSeq);
            return _last > summary.LatestSeq ? summary with { LatestSeq = _last.Value } : summary;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The seq a client orders this event by, if it has one (see docs/protocol.md, "Keeping a client in sync").</summary>
    public static long? SeqOf(ChannelEvent item) => item switch
    {
        MessageCreated created => created.Message.Seq,
        MessageEdited edited => edited.Message.RevisionSeq,
        MessageDeleted deleted => deleted.Seq,
        ReactionsUpdated reactions => reactions.Seq,
        _ => null,
    };

    /// <summary>Delivers the changes after <see cref="_last"/> up to <paramref name="upTo"/>, in seq order.</summary>
    private async Task FillAsync(long upTo, string trigger)
    {
        var after = _last!.Value;
        var found = new List<(long Seq, ChannelEvent Event)>();
        var latest = after;
        var complete = false;
        for (var page = 0; page < MaxPages && !complete; page++)
        {
            var changes = await fanout.FetchChangesAsync(channelId, latest, PageSize, askAboutMembers: page == 0);
            // Whoever stopped being a member while the events said nothing must hear nothing more.
            foreach (var userId in changes.NotMembers)
            {
                await fanout.RemoveUserFromChannelAsync(channelId, userId);
            }

            // Pages come in revision order; a message created in the gap and changed since comes
            // late, so every page is read, not only those up to upTo.
            found.AddRange(changes.Changes.Select(message => AsEvent(message, after)).Where(change => change.Seq <= upTo));
            latest = changes.Changes.Count > 0 ? changes.Changes[^1].RevisionSeq : latest;
            complete = !changes.Truncated;
        }

        foreach (var (_, change) in found.OrderBy(change => change.Seq))
        {
            await DeliverAsync(change);
        }

        fanout.Filled(trigger, found.Count);
        if (found.Count > 0)
        {
            LogFilled(channelId, found.Count, trigger);
        }

        // Read to the end, the last revision listed is the latest committed change: nothing up to
        // it (or up to the event that triggered the fill) is missing any more. Cut short, only
        // what was delivered is known.
        _last = complete
            ? Math.Max(after, Math.Min(upTo, latest))
            : Math.Max(after, found.Count > 0 ? found.Max(change => change.Seq) : after);
    }

    /// <summary>Delivers an event and keeps the view current with it.</summary>
    private Task DeliverAsync(ChannelEvent item)
    {
        if (item is ChannelDeleted)
        {
            _view = null;
        }
        else
        {
            _view?.Apply(item);
        }

        return fanout.DeliverAsync(item);
    }

    /// <summary>A changed message as the event that brings a client up to date with it.</summary>
    private static (long Seq, ChannelEvent Event) AsEvent(ChatMessage message, long after) =>
        message.Deleted ? (message.RevisionSeq, new MessageDeleted(message.ChannelId, message.Id, message.RevisionSeq))
        : message.Seq > after ? (message.Seq, new MessageCreated(message))
        : (message.RevisionSeq, new MessageEdited(message));

    [LoggerMessage(Level = LogLevel.Information, Message = "Channel {ChannelId}: delivered {Changes} missed changes from the channel grain ({Trigger})")]
    private partial void LogFilled(string channelId, int changes, string trigger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Channel {ChannelId}: filling a gap failed; its clients resume by themselves")]
    private partial void LogFillFailed(Exception exception, string channelId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Channel {ChannelId}: events after seq {Last} were lost (next is {Seq}); filling the gap from the channel grain")]
    private partial void LogGap(string channelId, long last, long seq);
}
