using Cryb.Errors;
using Cryb.Grains.Relationships;
using Cryb.Relationships;

namespace Cryb.Tests.Grains;

/// <summary>
/// The pair rules as each transaction applies them, on made-up facts: the limits at their edges
/// (too costly to reach over the protocol: a thousand friendships each side), and a block's effect
/// on whatever stood between the two.
/// </summary>
public sealed class RelationshipRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static PairFacts Facts(RelationshipKind mine, RelationshipKind theirs, int myFriends = 0, int theirFriends = 0, int myBlocked = 0, int recentRequests = 0) =>
        new(new PairSides("me", "them", mine, theirs, null, null, 1), myFriends, theirFriends, myBlocked,
            Enumerable.Range(0, recentRequests).Select(i => Now.AddHours(-23).AddMinutes(i)).ToArray());

    private static void AssertRefused(string code, Func<PairDecision> decide) => Assert.Equal(code, Assert.Throws<ChatException>(() => decide()).Code);

    [Fact]
    public void Accepting_is_refused_at_either_sides_friend_cap_and_allowed_just_below_it()
    {
        var incoming = (RelationshipKind.Incoming, RelationshipKind.Outgoing);
        AssertRefused(ErrorCodes.LimitReached, () => RelationshipRules.Accept(Facts(incoming.Item1, incoming.Item2, myFriends: RelationshipLimits.MaxFriends)));
        AssertRefused(ErrorCodes.LimitReached, () => RelationshipRules.Accept(Facts(incoming.Item1, incoming.Item2, theirFriends: RelationshipLimits.MaxFriends)));
        Assert.Equal(new PairDecision(RelationshipKind.Friend, RelationshipKind.Friend),
            RelationshipRules.Accept(Facts(incoming.Item1, incoming.Item2, RelationshipLimits.MaxFriends - 1, RelationshipLimits.MaxFriends - 1)));
        // Asking back is accepting, with the same cap.
        AssertRefused(ErrorCodes.LimitReached, () => RelationshipRules.SendRequest(Facts(incoming.Item1, incoming.Item2, myFriends: RelationshipLimits.MaxFriends), Now));
    }

    [Fact]
    public void The_fifty_first_request_in_a_day_is_refused_with_the_wait_until_the_oldest_leaves_the_window()
    {
        Assert.True(RelationshipRules.SendRequest(Facts(RelationshipKind.None, RelationshipKind.None, recentRequests: 49), Now).RequestSent);
        var refusal = Assert.Throws<ChatException>(() => RelationshipRules.SendRequest(Facts(RelationshipKind.None, RelationshipKind.None, recentRequests: 50), Now));
        Assert.Equal(ErrorCodes.RateLimited, refusal.Code);
        Assert.Contains($"retryAfterMs={(long)TimeSpan.FromHours(1).TotalMilliseconds}", refusal.Message);
        // A request already pending, or a friend, costs nothing.
        Assert.False(RelationshipRules.SendRequest(Facts(RelationshipKind.Outgoing, RelationshipKind.Incoming, recentRequests: 50), Now).RequestSent);
    }

    [Theory]
    [InlineData(RelationshipKind.Friend, RelationshipKind.Friend, RelationshipKind.None)]
    [InlineData(RelationshipKind.Incoming, RelationshipKind.Outgoing, RelationshipKind.None)]
    [InlineData(RelationshipKind.Outgoing, RelationshipKind.Incoming, RelationshipKind.None)]
    [InlineData(RelationshipKind.None, RelationshipKind.Blocked, RelationshipKind.Blocked)]
    [InlineData(RelationshipKind.Blocked, RelationshipKind.None, RelationshipKind.None)]
    public void A_block_replaces_a_friendship_or_request_on_both_sides_and_keeps_only_the_others_own_block(RelationshipKind mine, RelationshipKind theirs, RelationshipKind theirsAfter)
    {
        Assert.Equal(new PairDecision(RelationshipKind.Blocked, theirsAfter), RelationshipRules.Block(Facts(mine, theirs)));
    }

    [Fact]
    public void Blocking_is_refused_at_the_block_cap_but_blocking_again_is_not()
    {
        AssertRefused(ErrorCodes.LimitReached, () => RelationshipRules.Block(Facts(RelationshipKind.None, RelationshipKind.None, myBlocked: RelationshipLimits.MaxBlocked)));
        Assert.Equal(RelationshipKind.Blocked, RelationshipRules.Block(Facts(RelationshipKind.Blocked, RelationshipKind.None, myBlocked: RelationshipLimits.MaxBlocked)).Mine);
    }

    [Fact]
    public void Either_sides_block_refuses_a_request_and_unblocking_leaves_the_others_block()
    {
        AssertRefused(ErrorCodes.Blocked, () => RelationshipRules.SendRequest(Facts(RelationshipKind.Blocked, RelationshipKind.None), Now));
        AssertRefused(ErrorCodes.Blocked, () => RelationshipRules.SendRequest(Facts(RelationshipKind.None, RelationshipKind.Blocked), Now));
        Assert.Equal(new PairDecision(RelationshipKind.None, RelationshipKind.Blocked), RelationshipRules.Unblock(Facts(RelationshipKind.Blocked, RelationshipKind.Blocked)));
    }
}
