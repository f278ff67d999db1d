namespace Cryb.Gateway.Hubs;

/// <summary>The <c>RelationshipRemoved</c> payload: the user who is nothing to the client's user any more, as of the pair's <see cref="Version"/>.</summary>
public sealed record RelationshipGone(string UserId, long Version);
