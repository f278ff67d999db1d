using Cryb.Channels;
using Cryb.Guilds;
using Cryb.Messages;
using Cryb.Presence;
using Cryb.Relationships;
using Cryb.Users;
using Cryb.Voice;

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

    /// <summary>A notification for the user (docs/notifications.md), on every connection of theirs.</summary>
    Task NotificationCreated(Notifications.Notification notification);

    /// <summary>The user's notification read cursor moved, on some device.</summary>
    Task NotificationsAcked(Notifications.NotificationsAcked acked);

    /// <summary>Another user became something to this one (a friend request sent or received, a block), to every connection of the user.</summary>
    Task RelationshipAdded(Relationship relationship);

    /// <summary>What another user is to this one changed (a request accepted: now a friend; a friend blocked).</summary>
    Task RelationshipUpdated(Relationship relationship);

    /// <summary>Another user is nothing to this one any more; <c>{ userId, version }</c>.</summary>
    Task RelationshipRemoved(RelationshipGone removed);

    /// <summary>Someone invited the user to a channel (or a server's channel); to every connection of the user.</summary>
    Task InvitationReceived(Invitation invitation);

    /// <summary>An invitation is no longer pending; <c>{ channelId, reason }</c> (<c>accepted</c>, <c>declined</c>, <c>replaced</c>).</summary>
    Task InvitationRemoved(InvitationGone removed);

    /// <summary>To all of a user's connections, just before the server closes them: the account was banned or deleted.</summary>
    Task AccountClosed(AccountClosed closed);

    /// <summary>To every connection of a user who joined or created a server: the server as they see it (Ready lists the others).</summary>
    Task GuildCreated(GuildState guild);

    /// <summary>To every connection of a user who is no longer a member (left, kicked, banned, the server deleted).</summary>
    Task GuildRemoved(GuildRemoved removed);

    /// <summary>The server's name or owner changed; to its members.</summary>
    Task GuildUpdated(Guilds.GuildUpdated updated);

    /// <summary>The server is gone; to its members (each also gets <see cref="GuildRemoved"/>).</summary>
    Task GuildDeleted(Guilds.GuildDeleted deleted);

    Task GuildMemberAdded(GuildMemberAdded added);

    /// <summary>To the members: a bulk import left the server large; the new member count, in place of a <see cref="GuildMemberAdded"/> per member.</summary>
    Task GuildMembersImported(GuildMembersImported imported);

    Task GuildMemberUpdated(GuildMemberUpdated updated);

    /// <summary>To the remaining members; the one removed gets <see cref="GuildRemoved"/> instead.</summary>
    Task GuildMemberRemoved(GuildMemberRemoved removed);

    Task GuildRoleCreated(GuildRoleCreated created);

    Task GuildRoleUpdated(GuildRoleUpdated updated);

    Task GuildRoleDeleted(GuildRoleDeleted deleted);

    /// <summary>To the members who can view the new channel.</summary>
    Task GuildChannelCreated(GuildChannelCreated created);

    /// <summary>To the members who can view the channel after the change (those who no longer can get <see cref="ChannelRemoved"/>).</summary>
    Task GuildChannelUpdated(GuildChannelUpdated updated);

    /// <summary>To the members who could view the channel.</summary>
    Task GuildChannelDeleted(GuildChannelDeleted deleted);

    /// <summary>To the connections that came to view a server channel (of any type) they could not.</summary>
    Task GuildChannelVisible(GuildChannelVisible visible);

    /// <summary>
    /// A member's voice state changed, in the server's order: to the members who can view its channel;
    /// <c>channelId</c> null when the user left voice there (or moved to a channel the recipient cannot view).
    /// </summary>
    Task VoiceStateUpdated(VoiceState state);

    /// <summary>
    /// Voice states of one server, in the server's order, sent in one frame (at most one a window per
    /// server and connection, <see cref="Fanout.VoiceFrameOptions.Window"/>): each as <see cref="VoiceStateUpdated"/> would have carried it to this
    /// connection (<c>channelId</c> null when the user left voice as far as the recipient can see).
    /// Also the states of a voice channel the recipient comes to view.
    /// </summary>
    Task VoiceStatesUpdated(VoiceState[] states);

    /// <summary>To every connection of the user: a voice session of theirs ended (the device that holds <c>sessionId</c> drops its media).</summary>
    Task VoiceSessionEnded(VoiceSessionEnded ended);

    /// <summary>To every connection of the user: a new token for their voice session (a moderator moved them, or changed their mute or deafen); the device holding <c>sessionId</c> reconnects its media with it.</summary>
    Task VoiceServerUpdate(VoiceServerUpdate update);

    /// <summary>To the calling connection only: one chunk of the answer to its <c>RequestGuildMembers</c>.</summary>
    Task GuildMembersChunk(GuildMembersChunk chunk);
}
