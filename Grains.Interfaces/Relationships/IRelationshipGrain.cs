using Cryb.Identity;
using Orleans.Concurrency;

namespace Cryb.Relationships;

/// <summary>
/// A user's friends, friend requests and blocks, keyed by user id. Each change of a pair is one
/// transaction on the pair's row, made by the acting user's grain, which then tells the other
/// user's grain (<see cref="PairChanged"/>); each grain publishes its own user's relationship events.
/// Every user-facing method is the user's own (<see cref="Caller"/> must be this grain's user).
/// </summary>
[Alias("cryb.IRelationshipGrain")]
public interface IRelationshipGrain : IGrainWithStringKey
{
    /// <summary>Every relationship of the user.</summary>
    [Alias("Get")]
    Task<IReadOnlyList<Relationship>> Get(Caller caller);

    /// <summary>
    /// Sends a friend request; to a user whose request to this one is pending, accepts it. Refused
    /// <c>blocked</c> when either blocked the other or the other's privacy settings exclude the
    /// caller (the two are not told apart), <c>rate_limited</c> past
    /// <see cref="RelationshipLimits.MaxRequestsPerWindow"/> a day, <c>limit_reached</c> at the friend cap.
    /// </summary>
    [Alias("SendFriendRequest")]
    Task<Relationship> SendFriendRequest(Caller caller, string userId);

    /// <summary>Accepts the user's pending request; <c>request_not_found</c> without one.</summary>
    [Alias("AcceptFriendRequest")]
    Task<Relationship> AcceptFriendRequest(Caller caller, string userId);

    /// <summary>Declines the user's pending request; <c>request_not_found</c> without one.</summary>
    [Alias("DeclineFriendRequest")]
    Task DeclineFriendRequest(Caller caller, string userId);

    /// <summary>Withdraws the caller's pending request to the user; <c>request_not_found</c> without one.</summary>
    [Alias("CancelFriendRequest")]
    Task CancelFriendRequest(Caller caller, string userId);

    /// <summary>Ends a friendship, for both; <c>not_friends</c> when there is none.</summary>
    [Alias("RemoveFriend")]
    Task RemoveFriend(Caller caller, string userId);

    /// <summary>
    /// Blocks the user: any friendship or request between them goes, and the blocked user can no
    /// longer open a direct message, send a request or invitation to the caller, nor see their
    /// presence or typing. Again on a blocked user: nothing changes.
    /// </summary>
    [Alias("BlockUser")]
    Task<Relationship> BlockUser(Caller caller, string userId);

    /// <summary>Lifts the caller's block; restores nothing. <c>not_blocked</c> without one.</summary>
    [Alias("UnblockUser")]
    Task UnblockUser(Caller caller, string userId);

    [Alias("GetPrivacy")]
    Task<PrivacySettings> GetPrivacy(Caller caller);

    [Alias("SetPrivacy")]
    Task<PrivacySettings> SetPrivacy(Caller caller, PrivacySettings settings);

    /// <summary>The user's pending invitations, newest first.</summary>
    [Alias("GetInvitations")]
    Task<IReadOnlyList<Invitation>> GetInvitations(Caller caller);

    /// <summary>
    /// Joins the channel the invitation is to, as the inviter's invite did before consent: the
    /// channel's grain checks again that the inviter may invite (bans, limits, the inviter's role).
    /// <c>invitation_not_found</c> without one.
    /// </summary>
    [Alias("AcceptInvitation")]
    Task AcceptInvitation(Caller caller, string channelId);

    /// <summary>Drops the invitation; nothing else changes. <c>invitation_not_found</c> without one.</summary>
    [Alias("DeclineInvitation")]
    Task DeclineInvitation(Caller caller, string channelId);

    /// <summary>
    /// Records an invitation for this user (a channel's grain, once it authorized the inviter), and
    /// tells the user. Internal.
    /// </summary>
    [Alias("AddInvitation")]
    Task AddInvitation(Invitation invitation);

    /// <summary>The user's relationships and who blocked them, for the gateway that connects them.</summary>
    [Alias("GetForGateway"), GatewayOnly, AlwaysInterleave]
    Task<RelationshipsView> GetForGateway(ServiceCredential gateway);

    /// <summary>
    /// Null if <paramref name="fromUserId"/> may open a direct message with this user, otherwise the
    /// refusal's message (code <c>blocked</c>): a block either way always refuses, this user's privacy
    /// settings only when they are not in the conversation yet (<paramref name="alreadyMember"/>).
    /// Internal: asked by the direct message's channel grain.
    /// </summary>
    [Alias("RefuseDirectMessageFrom"), AlwaysInterleave]
    Task<string?> RefuseDirectMessageFrom(string fromUserId, bool alreadyMember);

    /// <summary>What the other is to this user and this user to them. Internal: asked by presence and direct message grains.</summary>
    [Alias("KindsWith"), AlwaysInterleave]
    Task<PairKinds> KindsWith(string otherUserId);

    /// <summary>
    /// Null if <paramref name="fromUserId"/> may send this user a friend request (blocks and this
    /// user's privacy settings), otherwise the refusal's message (code <c>blocked</c>). Internal.
    /// </summary>
    [Alias("RefuseFriendRequestFrom"), AlwaysInterleave]
    Task<string?> RefuseFriendRequestFrom(string fromUserId);

    /// <summary>The user's friends' ids, for their presence grain, which announces their changes to them too.</summary>
    [Alias("GetFriendIds"), AlwaysInterleave]
    Task<IReadOnlyList<string>> GetFriendIds();

    /// <summary>
    /// The pair's row changed to <paramref name="version"/> (written by the other user's grain): reads
    /// it and publishes what changed for this user; a row no longer there was emptied at that version.
    /// Interleaves, so two users acting on each other at once never wait on each other.
    /// </summary>
    [Alias("PairChanged"), AlwaysInterleave]
    Task PairChanged(string otherUserId, long version);
}
