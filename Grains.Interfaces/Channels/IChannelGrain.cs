using Orleans.Concurrency;
using Cryb.Guilds;
using Cryb.Identity;
using Cryb.Messages;

namespace Cryb.Channels;

/// <summary>
/// A channel, keyed by its id. It owns the channel's membership, roles and seq, writes messages and
/// reactions to PostgreSQL and publishes <see cref="ChannelEvent"/>s on the channel's stream. Every
/// method authorizes <c>caller</c> against the channel's own state.
/// </summary>
[Alias("cryb.IChannelGrain")]
public interface IChannelGrain : IGrainWithStringKey
{
    /// <summary>Creates the channel with <paramref name="caller"/> as owner and first member.</summary>
    [Alias("Create")]
    Task<ChannelInfo> Create(Caller caller, string name, bool isPrivate);

    /// <summary>Creates, or returns, the direct message channel of the caller and <paramref name="otherUserId"/>.</summary>
    [Alias("OpenDirect")]
    Task<ChannelInfo> OpenDirect(Caller caller, string otherUserId);

    /// <summary>Adds the caller to a public channel (members of private ones may call it too) and returns the changes after <paramref name="sinceSeq"/>.</summary>
    [Alias("Join")]
    Task<JoinResult> Join(Caller caller, long? sinceSeq);

    /// <summary>
    /// Invites a user: any member of a public channel, the owner or an admin of a private one. The
    /// user gets an invitation to accept (<see cref="Relationships.IRelationshipGrain.AcceptInvitation"/>),
    /// which adds them as this did before consent; a member already is left as they are. On a channel
    /// that moved into a server of its own, accepting makes them a member of that server
    /// (<see cref="IGuildGrain.AddMemberOfMovedChannel"/>); on any other server's channel, <c>invalid_argument</c>.
    /// </summary>
    [Alias("Invite")]
    Task Invite(Caller caller, string userId);

    [Alias("Leave")]
    Task Leave(Caller caller);

    /// <summary>Removes a member of a lower role; on a moved channel, the server's kick (<see cref="IGuildGrain.KickFromMovedChannel"/>).</summary>
    [Alias("Kick")]
    Task Kick(Caller caller, string userId);

    /// <summary>
    /// Removes the user and keeps them out: a banned user cannot join or be invited. On a moved
    /// channel, the server's ban, messages kept (<see cref="IGuildGrain.BanFromMovedChannel"/>).
    /// </summary>
    [Alias("Ban")]
    Task Ban(Caller caller, string userId);

    /// <summary>
    /// Lifts a ban: the user may join (or be invited) again, and is not added. Who may ban may unban;
    /// on a moved channel, the server's (<see cref="IGuildGrain.UnbanFromMovedChannel"/>). Unbanning
    /// a user who is not banned changes nothing.
    /// </summary>
    [Alias("Unban")]
    Task Unban(Caller caller, string userId);

    /// <summary>The owner makes a member an admin or a member again; on a moved channel, the server's "Admins" role (<see cref="IGuildGrain.SetMovedChannelRole"/>).</summary>
    [Alias("SetMemberRole")]
    Task SetMemberRole(Caller caller, string userId, ChannelRole role);

    /// <summary>The members with their roles, owner first; on a moved channel, the server's (<see cref="IGuildGrain.GetMovedChannelMembers"/>).</summary>
    [Alias("GetMembers")]
    Task<IReadOnlyList<ChannelMember>> GetMembers(Caller caller);

    [Alias("Update")]
    Task<ChannelInfo> Update(Caller caller, string name, string? topic);

    /// <summary>Deletes the channel and its history; the owner only.</summary>
    [Alias("Delete")]
    Task Delete(Caller caller);

    /// <summary>Stores a message durably, then publishes <see cref="MessageCreated"/>.</summary>
    /// <remarks>
    /// Interleaves with the channel's other calls so that concurrent sends are committed together;
    /// the grain still gives them seqs in the order it received them and answers each only once its
    /// row is committed.
    /// </remarks>
    [Alias("SendMessage"), AlwaysInterleave]
    Task<ChatMessage> SendMessage(Caller caller, SendMessageRequest request);

    /// <summary>Replaces a message's content; its author only.</summary>
    [Alias("EditMessage")]
    Task<ChatMessage> EditMessage(Caller caller, string messageId, string content);

    /// <summary>Deletes a message; its author, an admin or the owner.</summary>
    [Alias("DeleteMessage")]
    Task DeleteMessage(Caller caller, string messageId);

    [Alias("AddReaction")]
    Task<IReadOnlyList<ReactionSummary>> AddReaction(Caller caller, string messageId, string emoji);

    [Alias("RemoveReaction")]
    Task<IReadOnlyList<ReactionSummary>> RemoveReaction(Caller caller, string messageId, string emoji);

    /// <summary>Messages before <paramref name="beforeSeq"/> (or the newest), newest first, at most 100; deleted ones are gone.</summary>
    [Alias("GetHistory")]
    Task<IReadOnlyList<ChatMessage>> GetHistory(Caller caller, long? beforeSeq, int limit);

    /// <summary>The channel's description, for members.</summary>
    [Alias("GetInfo")]
    Task<ChannelInfo> GetInfo(Caller caller);

    /// <summary>
    /// Adds <paramref name="userId"/>, who accepted <paramref name="inviterId"/>'s invitation, as the
    /// inviter's invite did before consent: the inviter must still be allowed to invite them.
    /// Internal: called by the invitee's relationship grain.
    /// </summary>
    [Alias("AddInvited")]
    Task AddInvited(string inviterId, string userId);

    /// <summary>
    /// A direct message's pair now has a block between them (either way), or no longer has one: sends
    /// are refused <c>blocked</c> while it lasts. Internal: told by the relationship grain that made the change.
    /// </summary>
    [Alias("DirectBlockChanged"), AlwaysInterleave]
    Task DirectBlockChanged(bool blocked);

    /// <summary>Whether the caller is a member; read-only, so it interleaves with the grain's other calls.</summary>
    [Alias("IsMember"), AlwaysInterleave]
    Task<bool> IsMember(Caller caller);

    /// <summary>The channel as the caller's <c>Ready</c> event shows it, unread count after <paramref name="lastReadSeq"/>.</summary>
    [Alias("GetSummary")]
    Task<ChannelSummary> GetSummary(Caller caller, long lastReadSeq);

    /// <summary>
    /// The changes after <paramref name="afterSeq"/> (at most <paramref name="limit"/>, up to 500),
    /// for a gateway that lost some of this channel's events (a silo died with them queued, or its
    /// subscription was dropped) and fills the gap before delivering newer ones. Also tells which
    /// of <paramref name="userIds"/> (the users the gateway delivers this channel to) are no longer
    /// members. Gateways only.
    /// </summary>
    [Alias("GetChangesAfter"), GatewayOnly]
    Task<ChannelChanges> GetChangesAfter(ServiceCredential gateway, long afterSeq, int limit, IReadOnlyList<string> userIds);

    /// <summary>
    /// The channel as a gateway keeps it to answer its members' <c>Ready</c> (null once deleted or
    /// never created), read once per gateway subscription rather than once per connect. Gateways only.
    /// </summary>
    [Alias("GetView"), GatewayOnly]
    Task<ChannelView?> GetView(ServiceCredential gateway);

    /// <summary>
    /// Removes a deleted account's membership (not its ownership). Silo-internal: called one-way by
    /// the user grain, and refused from clients.
    /// </summary>
    [Alias("RemoveDeletedAccount"), OneWay]
    Task RemoveDeletedAccount(string userId);

    /// <summary>
    /// Makes this a text channel of a server, or updates its name, topic and permission inputs
    /// (a newer <see cref="GuildAccess.Version"/> only). Idempotent. Silo-internal: the server's grain
    /// calls it once it has stored the change.
    /// </summary>
    [Alias("AttachToGuild")]
    Task<ChannelInfo> AttachToGuild(GuildChannelAccess channel);

    /// <summary>
    /// A server member's roles changed (<paramref name="roleIds"/> null: no longer a member), at the
    /// member's <paramref name="version"/>; publishes <see cref="GuildMemberAccessChanged"/>. Silo-internal.
    /// </summary>
    [Alias("SetGuildMember")]
    Task SetGuildMember(string userId, IReadOnlyList<string>? roleIds, long version);

    /// <summary>Deletes a server's channel and its history, as <see cref="Delete"/> does. Silo-internal.</summary>
    [Alias("DeleteForGuild")]
    Task DeleteForGuild();

    /// <summary>Deletes the user's messages written since <paramref name="since"/> (a ban's clean-up). Silo-internal.</summary>
    [Alias("DeleteMessagesBy")]
    Task<int> DeleteMessagesBy(string userId, DateTimeOffset since);

    /// <summary>
    /// Moves a standalone channel into a server of its own, under the channel's id (or completes a
    /// move that stopped half-way); false, and nothing done, for a direct message, a deleted or
    /// unknown channel, or one already in a server. The channel keeps its id, seq and history; any
    /// other call on a channel that was standalone when its grain activated does this first.
    /// Idempotent. Silo-internal: the operator's sweep calls it (docs/servers.md).
    /// </summary>
    [Alias("MigrateToGuild")]
    Task<bool> MigrateToGuild();

    /// <summary>
    /// Stores the caller's read position in this channel, for a server's channel (which the user grain
    /// does not list): checks the caller may view it, then tells the user grain.
    /// </summary>
    [Alias("MarkRead"), AlwaysInterleave]
    Task<long> MarkRead(Caller caller, long seq);
}
