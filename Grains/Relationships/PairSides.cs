using Cryb.Relationships;

namespace Cryb.Grains.Relationships;

/// <summary>A pair's row as one of the two sees it: what the other is to them (<see cref="Mine"/>) and what they are to the other (<see cref="Theirs"/>).</summary>
public sealed record PairSides(
    string UserId,
    string OtherId,
    RelationshipKind Mine,
    RelationshipKind Theirs,
    DateTimeOffset? MySince,
    DateTimeOffset? TheirSince,
    long Version)
{
    public static PairSides Empty(string userId, string otherId) => new(userId, otherId, RelationshipKind.None, RelationshipKind.None, null, null, 0);

    /// <summary>The same row from the other user's side.</summary>
    public PairSides Flipped() => new(OtherId, UserId, Theirs, Mine, TheirSince, MySince, Version);

    /// <summary>What the user's clients see of the other, or null when the other is nothing to them.</summary>
    public Relationship? Visible() =>
        Mine == RelationshipKind.None ? null : new Relationship(OtherId, Mine, MySince ?? DateTimeOffset.UnixEpoch, Version);
}

/// <summary>What a transaction knows when it decides a change: the locked row and the counts the limits need.</summary>
public sealed record PairFacts(PairSides Pair, int MyFriends, int TheirFriends, int MyBlocked, IReadOnlyList<DateTimeOffset> MyRecentRequests);

/// <summary>The pair's kinds after a change, and whether it sent a friend request (counted for the daily limit).</summary>
public sealed record PairDecision(RelationshipKind Mine, RelationshipKind Theirs, bool RequestSent = false);
