using Cryb.Errors;
using Cryb.Relationships;

namespace Cryb.Grains.Relationships;

/// <summary>
/// What each action does to a pair, decided inside the pair's transaction on what it locked: the
/// same rules hold whichever of the two acts first. A refusal throws before anything is written.
/// </summary>
public static class RelationshipRules
{
    private const RelationshipKind None = RelationshipKind.None;
    private const RelationshipKind Friend = RelationshipKind.Friend;
    private const RelationshipKind Incoming = RelationshipKind.Incoming;
    private const RelationshipKind Outgoing = RelationshipKind.Outgoing;
    private const RelationshipKind Blocked = RelationshipKind.Blocked;

    /// <summary>The one sentence for every kind of <c>blocked</c>, so the refusal tells the caller nothing more.</summary>
    public const string NotAccepted = "This user is not accepting that from you.";

    public static PairDecision SendRequest(PairFacts facts, DateTimeOffset now)
    {
        var pair = facts.Pair;
        if (pair.Mine == Blocked)
        {
            throw new ChatException(ErrorCodes.Blocked, "You blocked this user: unblock them first.");
        }

        if (pair.Theirs == Blocked)
        {
            throw new ChatException(ErrorCodes.Blocked, NotAccepted);
        }

        return pair.Mine switch
        {
            Friend or Outgoing => new PairDecision(pair.Mine, pair.Theirs),
            // Their request is waiting: asking back is accepting it.
            Incoming => Accept(facts),
            _ => NewRequest(facts, now),
        };
    }

    public static PairDecision Accept(PairFacts facts)
    {
        var pair = facts.Pair;
        if (pair.Mine == Friend)
        {
            return new PairDecision(Friend, Friend);
        }

        if (pair.Mine != Incoming)
        {
            throw new ChatException(ErrorCodes.RequestNotFound, "That user has sent you no friend request.");
        }

        if (facts.MyFriends >= RelationshipLimits.MaxFriends)
        {
            throw new ChatException(ErrorCodes.LimitReached, $"You have {RelationshipLimits.MaxFriends} friends, the most a user may have; remove one first.");
        }

        if (facts.TheirFriends >= RelationshipLimits.MaxFriends)
        {
            throw new ChatException(ErrorCodes.LimitReached, $"That user has {RelationshipLimits.MaxFriends} friends, the most a user may have.");
        }

        return new PairDecision(Friend, Friend);
    }

    public static PairDecision Decline(PairFacts facts) =>
        facts.Pair.Mine == Incoming
            ? new PairDecision(None, None)
            : throw new ChatException(ErrorCodes.RequestNotFound, "That user has sent you no friend request.");

    public static PairDecision Cancel(PairFacts facts) =>
        facts.Pair.Mine == Outgoing
            ? new PairDecision(None, None)
            : throw new ChatException(ErrorCodes.RequestNotFound, "You have sent that user no friend request.");

    public static PairDecision RemoveFriend(PairFacts facts) =>
        facts.Pair.Mine == Friend
            ? new PairDecision(None, None)
            : throw new ChatException(ErrorCodes.NotFriends, "You are not friends with that user.");

    /// <summary>The caller's side becomes a block; theirs keeps only a block of their own (a friendship or request goes for both).</summary>
    public static PairDecision Block(PairFacts facts)
    {
        var pair = facts.Pair;
        if (pair.Mine != Blocked && facts.MyBlocked >= RelationshipLimits.MaxBlocked)
        {
            throw new ChatException(ErrorCodes.LimitReached, $"You have blocked {RelationshipLimits.MaxBlocked} users, the most a user may; unblock one first.");
        }

        return new PairDecision(Blocked, pair.Theirs == Blocked ? Blocked : None);
    }

    public static PairDecision Unblock(PairFacts facts) =>
        facts.Pair.Mine == Blocked
            ? new PairDecision(None, facts.Pair.Theirs)
            : throw new ChatException(ErrorCodes.NotBlocked, "You have not blocked that user.");

    private static PairDecision NewRequest(PairFacts facts, DateTimeOffset now)
    {
        var recent = facts.MyRecentRequests;
        if (recent.Count >= RelationshipLimits.MaxRequestsPerWindow)
        {
            // The oldest request in the window leaves it first.
            var retryAfterMs = (long)Math.Ceiling((recent[^RelationshipLimits.MaxRequestsPerWindow] + RelationshipLimits.RequestWindow - now).TotalMilliseconds);
            throw new ChatException(ErrorCodes.RateLimited,
                $"A user may send {RelationshipLimits.MaxRequestsPerWindow} friend requests a day; retryAfterMs={Math.Max(1, retryAfterMs)}");
        }

        return new PairDecision(Outgoing, Incoming, RequestSent: true);
    }
}
