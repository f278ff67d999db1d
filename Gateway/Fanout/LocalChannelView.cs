using Cryb.Channels;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// A channel as this gateway knows it: the grain's <see cref="ChannelView"/>, read once, then kept
/// current by every event the gateway delivers for the channel. It answers each member's
/// <see cref="ChannelSummary"/> for <c>Ready</c> from memory, so a connect costs no grain call and no
/// query per channel. Not thread-safe: its <see cref="ChannelFeed"/> uses it under its gate, in event
/// order.
/// </summary>
public sealed class LocalChannelView
{
    private readonly Queue<RecentMessage> _recent;
    private readonly Dictionary<string, ChannelRole> _roles;
    private ChannelInfo _channel;
    private long _latestSeq;

    /// <summary>Messages older than those kept exist: a reader behind every kept one may have more unread than can be counted here.</summary>
    private bool _olderExist;

    public LocalChannelView(ChannelView view)
    {
        _channel = view.Channel;
        _latestSeq = view.LatestSeq;
        _roles = new Dictionary<string, ChannelRole>(view.Roles);
        _recent = new Queue<RecentMessage>(view.Recent.TakeLast(ChannelLimits.UnreadCountCap));
        _olderExist = view.Recent.Count > ChannelLimits.UnreadCountCap;
    }

    /// <summary>Brings the view up to date with an event delivered for its channel.</summary>
    public void Apply(ChannelEvent channelEvent)
    {
        switch (channelEvent)
        {
            case MessageCreated created:
                var message = created.Message;
                // A message the grain listed in the view already arrives again when its push was in flight.
                if (_recent.Count == 0 || message.Seq > _recent.Last().Seq)
                {
                    _recent.Enqueue(new RecentMessage(message.Seq, message.Id, message.AuthorId, Deleted: false));
                    if (_recent.Count > ChannelLimits.UnreadCountCap)
                    {
                        _recent.Dequeue();
                        _olderExist = true;
                    }
                }

                Advance(message.Seq);
                break;
            case MessageEdited edited:
                Advance(edited.Message.RevisionSeq);
                break;
            case MessageDeleted deleted:
                MarkDeleted(deleted.MessageId);
                Advance(deleted.Seq);
                break;
            case ReactionsUpdated reactions:
                Advance(reactions.Seq);
                break;
            case ChannelUpdated updated:
                _channel = updated.Channel;
                break;
            case MemberJoined joined:
                SetRole(joined.UserId, joined.Role);
                break;
            case MemberRoleChanged changed:
                SetRole(changed.UserId, changed.Role);
                break;
            case MemberLeft left:
                _roles.Remove(left.UserId);
                break;
        }
    }

    /// <summary>
    /// The channel as <paramref name="userId"/>'s <c>Ready</c> lists it. The unread count is the
    /// messages after <paramref name="lastReadSeq"/> by others and not deleted, exact while the reader
    /// is within the channel's last <see cref="ChannelLimits.UnreadCountCap"/> messages; further
    /// behind it is the cap, which clients show as "99+".
    /// </summary>
    public ChannelSummary SummaryFor(string userId, long lastReadSeq)
    {
        var role = _roles.GetValueOrDefault(userId, ChannelRole.Member);
        return new ChannelSummary(_channel, role, _latestSeq, lastReadSeq, UnreadCount(userId, lastReadSeq));
    }

    private int UnreadCount(string userId, long lastReadSeq)
    {
        if (lastReadSeq >= _latestSeq)
        {
            return 0;
        }

        if (_olderExist && _recent.Peek().Seq > lastReadSeq)
        {
            return ChannelLimits.UnreadCountCap; // Behind every message kept.
        }

        return _recent.Count(message => message.Seq > lastReadSeq && !message.Deleted && message.AuthorId != userId);
    }

    private void MarkDeleted(string messageId)
    {
        if (!_recent.Any(message => message.Id == messageId))
        {
            return;
        }

        var kept = _recent.Select(message => message.Id == messageId ? message with { Deleted = true } : message).ToArray();
        _recent.Clear();
        foreach (var message in kept)
        {
            _recent.Enqueue(message);
        }
    }

    private void SetRole(string userId, ChannelRole role)
    {
        if (role == ChannelRole.Member)
        {
            _roles.Remove(userId);
        }
        else
        {
            _roles[userId] = role;
        }
    }

    private void Advance(long seq) => _latestSeq = Math.Max(_latestSeq, seq);
}
