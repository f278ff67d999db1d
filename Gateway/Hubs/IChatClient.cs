using Cryb.Channels;
using Cryb.Messages;
using Cryb.Presence;
using Cryb.Users;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// The events the server pushes to clients. The method names are the public protocol's event
/// names (SignalR sends them as written here); payloads serialize in camelCase. Channel events
/// carry the channel's seq where a client must see every change.
/// </summary>
public interface IChatClient
{
    /// <summary>Sent once right after connecting: the user and their channels.</summary>
    Task Ready(ReadyPayload ready);

    /// <summary>A message was stored; <c>seq</c> is the event's seq. The sender gets it too.</summary>
    Task MessageCreated(ChatMessage message);

    /// <summary>A message's content changed; <c>revisionSeq</c> is the event's seq.</summary>
    Task MessageEdited(ChatMessage message);

    Task MessageDeleted(MessageDeleted deleted);

    Task ReactionsUpdated(ReactionsUpdated updated);

    Task MemberJoined(MemberJoined joined);

    /// <summary>To the remaining members; the one who left gets <see cref="ChannelRemoved"/> instead.</summary>
    Task MemberLeft(MemberLeft left);

    Task MemberRoleChanged(MemberRoleChanged changed);

    Task ChannelUpdated(ChannelInfo channel);

    Task ChannelDeleted(ChannelDeleted deleted);

    /// <summary>To all of a user's connections: they became a member (any device, a DM opened to them, an invitation).</summary>
    Task ChannelAdded(ChannelInfo channel);

    /// <summary>To all of a user's connections: they are no longer a member.</summary>
    Task ChannelRemoved(ChannelRemoved removed);

    /// <summary>
    /// The presence of people who share a channel with the user changed: the newest of each, at
    /// most one frame per <see cref="Fanout.PresenceBatches.Interval"/>.
    /// </summary>
    Task PresenceUpdated(PresenceInfo[] presences);

    /// <summary>The set of members typing in a channel changed.</summary>
    Task TypingUpdated(TypingUpdated typing);

    /// <summary>To all of a user's connections: their read position moved on some device.</summary>
    Task ReadStateUpdated(ReadStateUpdated updated);

    /// <summary>To all of a user's connections, just before the server closes them: the account was banned or deleted.</summary>
    Task AccountClosed(AccountClosed closed);
}
