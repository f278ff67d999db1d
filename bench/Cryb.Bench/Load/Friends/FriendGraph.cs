namespace Cryb.Bench.Load.Friends;

/// <summary>
/// Who is whose friend in <c>friends</c>, and who blocked whom: a ring, deterministic, so the
/// expected deliveries follow from the indices alone. User <c>i</c> asks users <c>i+1 .. i+F/2</c>
/// (around the ring) and each of them accepts, so everyone has <c>F</c> friends. Then each blocker
/// <c>b</c> (<see cref="Blockers"/> of them, spread evenly) blocks <c>b+1</c>, a friend until then:
/// the block ends that friendship, so neither hears the other's presence afterwards, and the
/// blocked one must hear none of the blocker's. Nobody shares a channel or a server: presence can
/// only flow through friendship.
/// </summary>
public sealed class FriendGraph
{
    private readonly bool[] _blocks;

    /// <param name="users">Users on the ring, at least <paramref name="friends"/> + 2 (so no pair is counted twice).</param>
    /// <param name="friends">Friends of each user before the blocks; even, at least 2.</param>
    /// <param name="blockers">Users who block their next neighbour; at most <paramref name="users"/>.</param>
    public FriendGraph(int users, int friends, int blockers)
    {
        if (friends < 2 || friends % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(friends), friends, "Each user has an even number of friends, at least 2: half asked, half accepted.");
        }

        if (users < friends + 2)
        {
            throw new ArgumentOutOfRangeException(nameof(users), users, $"A ring of {friends} friends each needs at least {friends + 2} users.");
        }

        if (blockers < 0 || blockers > users)
        {
            throw new ArgumentOutOfRangeException(nameof(blockers), blockers, $"Between 0 and {users} users block.");
        }

        Users = users;
        Reach = friends / 2;
        _blocks = new bool[users];
        for (var k = 0; k < blockers; k++)
        {
            _blocks[(int)((long)k * users / blockers)] = true;
        }

        Blockers = blockers;
    }

    public int Users { get; }

    /// <summary>How far around the ring each user asks: half of its friends.</summary>
    public int Reach { get; }

    public int Blockers { get; }

    /// <summary>The friend requests, asker first; the other accepts each one.</summary>
    public IEnumerable<(int From, int To)> Requests()
    {
        for (var i = 0; i < Users; i++)
        {
            for (var d = 1; d <= Reach; d++)
            {
                yield return (i, (i + d) % Users);
            }
        }
    }

    /// <summary>The blocks, blocker first: each blocker blocks the next user on the ring.</summary>
    public IEnumerable<(int Blocker, int Blocked)> Blocks()
    {
        for (var i = 0; i < Users; i++)
        {
            if (_blocks[i])
            {
                yield return (i, (i + 1) % Users);
            }
        }
    }

    /// <summary>Whether <paramref name="blocker"/> blocked <paramref name="blocked"/>.</summary>
    public bool Blocked(int blocker, int blocked) => _blocks[blocker] && blocked == (blocker + 1) % Users;

    /// <summary>Whether the two are friends once the blocks are made.</summary>
    public bool AreFriends(int a, int b)
    {
        if (a == b)
        {
            return false;
        }

        var distance = Math.Min((a - b + Users) % Users, (b - a + Users) % Users);
        return distance <= Reach && !Blocked(a, b) && !Blocked(b, a);
    }

    /// <summary>Friends of <paramref name="user"/> once the blocks are made: each block ends one friendship of each side.</summary>
    public int FriendCount(int user) =>
        2 * Reach - (_blocks[user] ? 1 : 0) - (_blocks[(user - 1 + Users) % Users] ? 1 : 0);
}
