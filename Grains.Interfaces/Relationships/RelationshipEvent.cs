using Cryb.Users;

namespace Cryb.Relationships;

/// <summary>Another user became something to this one (a request arrived or was sent, a block), on any device.</summary>
[GenerateSerializer, Immutable, Alias("cryb.RelationshipAdded")]
public sealed record RelationshipAdded(string UserId, [property: Id(0)] Relationship Relationship) : UserEvent(UserId);

/// <summary>What another user is to this one changed (a request accepted, a friend blocked).</summary>
[GenerateSerializer, Immutable, Alias("cryb.RelationshipUpdated")]
public sealed record RelationshipUpdated(string UserId, [property: Id(0)] Relationship Relationship) : UserEvent(UserId);

/// <summary>Another user is nothing to this one any more (declined, cancelled, unfriended, unblocked, or they blocked this user).</summary>
[GenerateSerializer, Immutable, Alias("cryb.RelationshipRemoved")]
public sealed record RelationshipRemoved(
    string UserId,
    [property: Id(0)] string OtherUserId,
    [property: Id(1)] long Version) : UserEvent(UserId);

/// <summary>
/// Another user blocked or unblocked this one: for gateways only, which stop (or resume) sending
/// this user that user's presence and typing. Never sent to clients: a block is not announced to
/// the blocked (Discord's rule), who sees only the friendship or request go.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.BlockedByChanged")]
public sealed record BlockedByChanged(
    string UserId,
    [property: Id(0)] string BlockerId,
    [property: Id(1)] bool Blocked,
    [property: Id(2)] long Version) : UserEvent(UserId);

/// <summary>Someone invited the user to a channel; it waits for the user's answer.</summary>
[GenerateSerializer, Immutable, Alias("cryb.InvitationReceived")]
public sealed record InvitationReceived(string UserId, [property: Id(0)] Invitation Invitation) : UserEvent(UserId);

/// <summary>An invitation is no longer pending: <c>accepted</c>, <c>declined</c> or <c>replaced</c> (pushed out by newer ones).</summary>
[GenerateSerializer, Immutable, Alias("cryb.InvitationRemoved")]
public sealed record InvitationRemoved(
    string UserId,
    [property: Id(0)] string ChannelId,
    [property: Id(1)] string Reason) : UserEvent(UserId);
