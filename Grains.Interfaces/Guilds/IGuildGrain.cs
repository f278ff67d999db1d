using Cryb.Channels;
using Cryb.Identity;
using Orleans.Concurrency;

namespace Cryb.Guilds;

/// <summary>
/// A server (guild), keyed by its id: name, owner, roles, channels and their overwrites in grain
/// state; members, bans and invites in PostgreSQL rows, so a join writes one row whatever the size.
/// Every method authorizes <c>caller</c> (a user through a gateway, or a backend service as itself,
/// with the grant) against the server's own state with <see cref="GuildPermissions"/>, and refuses
/// a non-member with <c>guild_not_found</c>: a server is invisible to outsiders.
/// </summary>
[Alias("cryb.IGuildGrain")]
public interface IGuildGrain : IGrainWithStringKey
{
    /// <summary>Creates the server with the caller as owner and only member, a <c>@everyone</c> role and a first text channel "general".</summary>
    [Alias("Create")]
    Task<GuildState> Create(Caller caller, string name);

    /// <summary>Renames the server; "manage server".</summary>
    [Alias("Update")]
    Task<GuildInfo> Update(Caller caller, string name);

    /// <summary>Deletes the server, its channels and their history; the owner only.</summary>
    [Alias("Delete")]
    Task Delete(Caller caller);

    /// <summary>Makes another member the owner; the owner only.</summary>
    [Alias("TransferOwnership")]
    Task<GuildInfo> TransferOwnership(Caller caller, string userId);

    /// <summary>The server as the caller sees it (the <c>GuildCreated</c> payload).</summary>
    [Alias("GetState")]
    Task<GuildState> GetState(Caller caller);

    /// <summary>Adds a channel under <paramref name="channelId"/> (a new id; a retry with the same id and spec returns it); "manage channels".</summary>
    [Alias("CreateChannel")]
    Task<GuildChannel> CreateChannel(Caller caller, string channelId, GuildChannelSpec spec);

    /// <summary>Changes a channel's name, topic, user limit or overwrites; "manage channels" (and "manage roles" for overwrites).</summary>
    [Alias("UpdateChannel")]
    Task<GuildChannel> UpdateChannel(Caller caller, string channelId, GuildChannelSpec spec);

    /// <summary>Moves a channel to <paramref name="position"/> under <paramref name="parentId"/> (null: no category); "manage channels".</summary>
    [Alias("MoveChannel")]
    Task<GuildChannel> MoveChannel(Caller caller, string channelId, int position, string? parentId);

    /// <summary>Deletes a channel and its history (a category's channels move out of it); "manage channels".</summary>
    [Alias("DeleteChannel")]
    Task DeleteChannel(Caller caller, string channelId);

    /// <summary>"manage roles"; a role may not hold a permission the caller lacks, nor sit at or above the caller's highest role.</summary>
    [Alias("CreateRole")]
    Task<GuildRole> CreateRole(Caller caller, RoleSpec spec);

    [Alias("UpdateRole")]
    Task<GuildRole> UpdateRole(Caller caller, string roleId, RoleSpec spec);

    [Alias("DeleteRole")]
    Task DeleteRole(Caller caller, string roleId);

    /// <summary>Gives a member a role below the caller's highest; "manage roles". Idempotent.</summary>
    [Alias("AddMemberRole")]
    Task<GuildMember> AddMemberRole(Caller caller, string userId, string roleId);

    [Alias("RemoveMemberRole")]
    Task<GuildMember> RemoveMemberRole(Caller caller, string userId, string roleId);

    /// <summary>Sets a nickname (null clears it): one's own with "change nickname", another's with "manage nicknames".</summary>
    [Alias("SetNickname")]
    Task<GuildMember> SetNickname(Caller caller, string userId, string? nickname);

    /// <summary>A new invite code; "create invite". <paramref name="maxUses"/> 0 and <paramref name="maxAgeSeconds"/> 0 mean no limit.</summary>
    [Alias("CreateInvite")]
    Task<GuildInvite> CreateInvite(Caller caller, int maxUses, int maxAgeSeconds);

    /// <summary>The server's open invites; "manage server".</summary>
    [Alias("GetInvites")]
    Task<IReadOnlyList<GuildInvite>> GetInvites(Caller caller);

    /// <summary>Revokes an invite; its creator or "manage server".</summary>
    [Alias("RevokeInvite")]
    Task RevokeInvite(Caller caller, string code);

    /// <summary>
    /// Joins the server with one of its invites (<see cref="IGuildInvitesGrain.Join"/> finds the server
    /// of a code); a member already returns the state, a banned user is refused with <c>banned</c>.
    /// </summary>
    [Alias("Join")]
    Task<GuildState> Join(Caller caller, string code);

    /// <summary>Leaves the server; the owner must transfer it or delete it first.</summary>
    [Alias("Leave")]
    Task Leave(Caller caller);

    /// <summary>Removes a member whose highest role is below the caller's; "kick members".</summary>
    [Alias("Kick")]
    Task Kick(Caller caller, string userId);

    /// <summary>
    /// Removes the user (member or not) and refuses their joins; "ban members", and the target's
    /// highest role below the caller's. With <paramref name="deleteMessageSeconds"/> (up to 7 days)
    /// their messages of that last stretch are deleted in every channel.
    /// </summary>
    [Alias("Ban")]
    Task Ban(Caller caller, string userId, int deleteMessageSeconds, string? reason);

    [Alias("Unban")]
    Task Unban(Caller caller, string userId);

    /// <summary>Bans after <paramref name="afterUserId"/> in user id order; "ban members".</summary>
    [Alias("GetBans")]
    Task<IReadOnlyList<GuildBan>> GetBans(Caller caller, string? afterUserId);

    /// <summary>
    /// Members whose name starts with <paramref name="query"/> (case-insensitive), or with these
    /// <paramref name="userIds"/>; at most <see cref="GuildLimits.MaxQueriedMembers"/>.
    /// </summary>
    [Alias("QueryMembers"), AlwaysInterleave]
    Task<GuildMemberPage> QueryMembers(Caller caller, string? query, IReadOnlyList<string>? userIds, int limit);

    /// <summary>
    /// A page of the full member list in user id order after <paramref name="afterUserId"/>. The
    /// first page (<paramref name="afterUserId"/> null) starts a listing, allowed once per
    /// <see cref="GuildLimits.FullListInterval"/> per user and server (<c>rate_limited</c> with a
    /// retry hint); later pages are served within that interval of the start.
    /// </summary>
    [Alias("ListMembers")]
    Task<GuildMemberPage> ListMembers(Caller caller, string? afterUserId, int limit);

    /// <summary>
    /// Adds users as members in bulk (importing a community from elsewhere): a service caller with
    /// the grant only, no invite needed, bans still apply. Returns how many were added. The members
    /// hear of them as of joins (<see cref="GuildMemberAdded"/> each) while the server stays at or
    /// below <see cref="GuildLimits.LargeThreshold"/>, else in one <see cref="GuildMembersImported"/>.
    /// </summary>
    [Alias("ImportMembers")]
    Task<int> ImportMembers(Caller caller, IReadOnlyList<string> userIds);

    /// <summary>The whole structure, for a gateway serving the server's members; null if there is no such server. Gateways only.</summary>
    [Alias("GetView"), GatewayOnly, AlwaysInterleave]
    Task<GuildView?> GetView(ServiceCredential gateway);

    /// <summary>
    /// The server's name and size for an invite's preview (null if there is no such server). Silo-internal:
    /// the invites grain asks it once it has found the code's server.
    /// </summary>
    [Alias("GetInfo"), AlwaysInterleave]
    Task<GuildInfo?> GetInfo();

    /// <summary>
    /// A channel's place and permission inputs, for the channel's grain as it activates (null if the
    /// server no longer has it). Silo-internal; interleaves, so a channel activating while the
    /// server waits on it cannot deadlock.
    /// </summary>
    [Alias("GetChannelAccess"), AlwaysInterleave]
    Task<GuildChannelAccess?> GetChannelAccess(string channelId);

    /// <summary>
    /// Makes this server the home of the standalone channel of the same id (issue 19's upgrade): on
    /// the first call, the channel's members and bans become member rows (its admins with an
    /// "Admins" role) and ban rows, then the record is written with the channel as its one text
    /// channel, open to all when the channel was public. A later call writes nothing and returns the
    /// same. The user grains are told by the channel's grain, which calls this as it migrates.
    /// Silo-internal; it never calls the channel's grain back.
    /// </summary>
    [Alias("AdoptStandaloneChannel")]
    Task<AdoptedChannel> AdoptStandaloneChannel(StandaloneChannel channel);

    /// <summary>
    /// Adds <paramref name="memberId"/> to a server open to all (a public standalone channel's),
    /// without an invite; bans and the limits apply. Returns the member's row (the one they had if
    /// already a member). Silo-internal: the channel's grain calls it from <c>Join</c>, having
    /// authenticated the caller. Interleaves: it only adds a row and tells the user's grain, and the
    /// server may be waiting on that very channel (a push), which must not deadlock.
    /// </summary>
    [Alias("JoinOpen"), AlwaysInterleave]
    Task<GuildMember> JoinOpen(string memberId);

    /// <summary>
    /// <c>Invite</c> on the channel of a server a standalone channel moved into: adds
    /// <paramref name="userId"/> as a member, without an invite, as a join does (their user grain and
    /// <see cref="GuildMemberAdded"/>), if the old channel's rule lets the caller: any member of a
    /// public one, the owner or a holder of the "Admins" role of a private one; a banned user is
    /// refused with <c>banned</c>. Returns the row (the one they had if already a member). Every
    /// other server refuses it with <c>invalid_argument</c>, as its channels' <c>Invite</c> does.
    /// Called by the channel's grain; it authorizes the caller itself.
    /// </summary>
    [Alias("AddMemberOfMovedChannel")]
    Task<GuildMember> AddMemberOfMovedChannel(Caller caller, string userId);

    /// <summary>
    /// The checks of <see cref="AddMemberOfMovedChannel"/> without the adding: refuses as it would, and
    /// says whether the user is a member already. Called by the channel's grain before it records an invitation.
    /// </summary>
    [Alias("CheckInviteToMovedChannel")]
    Task<bool> CheckInviteToMovedChannel(Caller caller, string userId);

    /// <summary><c>Kick</c> on a moved channel's server: <see cref="Kick"/> (the "Admins" role may kick), adopted servers only.</summary>
    [Alias("KickFromMovedChannel")]
    Task KickFromMovedChannel(Caller caller, string userId);

    /// <summary><c>Ban</c> on a moved channel's server: <see cref="Ban"/> without deleting messages, adopted servers only.</summary>
    [Alias("BanFromMovedChannel")]
    Task BanFromMovedChannel(Caller caller, string userId);

    /// <summary><c>Unban</c> on a moved channel's server, by a member: <see cref="Unban"/>, adopted servers only.</summary>
    [Alias("UnbanFromMovedChannel")]
    Task UnbanFromMovedChannel(Caller caller, string userId);

    /// <summary>
    /// <c>SetMemberRole</c> on a moved channel's server: the owner gives (<see cref="ChannelRole.Admin"/>)
    /// or takes (<see cref="ChannelRole.Member"/>) the "Admins" role, made first if the server has
    /// none; <see cref="ChannelRole.Owner"/> is refused with <c>invalid_argument</c> (<see cref="TransferOwnership"/>
    /// moves it). Adopted servers only.
    /// </summary>
    [Alias("SetMovedChannelRole")]
    Task<GuildMember> SetMovedChannelRole(Caller caller, string userId, ChannelRole role);

    /// <summary>
    /// <c>GetMembers</c> on a moved channel's server: its members in the old channel's terms (owner,
    /// "Admins" role holders as admins, the rest members), owner first, at most
    /// <see cref="GuildLimits.MaxMembersPerChunk"/>. Adopted servers only.
    /// </summary>
    [Alias("GetMovedChannelMembers"), AlwaysInterleave]
    Task<IReadOnlyList<ChannelMember>> GetMovedChannelMembers(Caller caller);

    /// <summary>
    /// Removes a deleted account's membership (an owner's server keeps its owner, whom an operator
    /// replaces). Silo-internal: called one-way by the user grain, which waits for no server.
    /// </summary>
    [Alias("RemoveDeletedAccount"), OneWay]
    Task RemoveDeletedAccount(string userId);
}
