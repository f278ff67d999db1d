using Cryb.Gateway.Hosting;
using Cryb.Identity;
using Cryb.Limits;

namespace Cryb.Gateway.Limits;

/// <summary>
/// The rate-limit tokens this gateway holds for its connected users: per user and kind, a lease from
/// the user's <see cref="IRateLimitGrain"/> spent here, so an allowed call rarely asks the grain (one
/// call per lease: 5 messages, 10 other calls, with the shipped limits). The limit stays the user's
/// across every gateway: the grain never leases more than its bucket holds, and counts leased tokens
/// against the burst until they come back or expire.
/// </summary>
/// <remarks>
/// Tokens are held only while the user has a connection here; when the last one leaves, what is left
/// goes back to the grain (a one-way call), so the user's next gateway finds the whole burst.
/// </remarks>
public sealed class RateLimitLeases(Func<string, IRateLimitGrain> grainOf, ServiceCredential account, ClusterConnectionChanges clusterChanges, TimeProvider time)
{
    private static readonly int KindCount = Enum.GetValues<RateLimitKind>().Length;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, User> _users = new(StringComparer.Ordinal);

    /// <summary>Users with tokens held here (those with a connection here).</summary>
    public int UserCount
    {
        get
        {
            lock (_lock)
            {
                return _users.Count;
            }
        }
    }

    public void Connected(string userId)
    {
        lock (_lock)
        {
            if (!_users.TryGetValue(userId, out var user))
            {
                _users[userId] = user = new User(new LeasedTokens?[KindCount]);
            }

            user.Connections++;
        }
    }

    /// <summary>The user's last connection here left: the tokens held for them go back to their grain.</summary>
    public void Disconnected(string userId)
    {
        User? last = null;
        lock (_lock)
        {
            if (_users.TryGetValue(userId, out var user) && --user.Connections == 0)
            {
                _users.Remove(userId);
                last = user;
            }
        }

        foreach (var tokens in last?.Tokens ?? [])
        {
            tokens?.Release();
        }
    }

    /// <summary>
    /// Spends one of the user's tokens of <paramref name="kind"/>. A call of a user with no connection
    /// here (one still running as its connection closed) asks the grain for that one token, holding none.
    /// </summary>
    public ValueTask<RateLimitDecision> TakeAsync(string userId, RateLimitKind kind)
    {
        LeasedTokens? tokens = null;
        lock (_lock)
        {
            if (_users.TryGetValue(userId, out var user))
            {
                tokens = user.Tokens[(int)kind] ??= NewTokens(userId, kind);
            }
        }

        return tokens?.TakeAsync() ?? new ValueTask<RateLimitDecision>(grainOf(userId).Take(Caller.User(userId, account), kind));
    }

    /// <summary>
    /// Spends <paramref name="count"/> of the user's tokens of <paramref name="kind"/> for one call (a
    /// bulk read costs by its size), one after another; the first refusal ends it. A user's charges
    /// of several tokens take turns here: taken token by token side by side, three charges of 10 from
    /// a burst of 20 could each take six or seven and all be refused, where in turn two go through.
    /// </summary>
    public async ValueTask<RateLimitDecision> TakeSeveralAsync(string userId, RateLimitKind kind, int count)
    {
        SemaphoreSlim? turns;
        lock (_lock)
        {
            turns = _users.TryGetValue(userId, out var user) ? user.SeveralTurns : null;
        }

        if (turns is not null)
        {
            await turns.WaitAsync();
        }

        try
        {
            for (var taken = 0; taken < count; taken++)
            {
                if (await TakeAsync(userId, kind) is { Allowed: false } refused)
                {
                    return refused;
                }
            }

            return RateLimitDecision.Allow;
        }
        finally
        {
            turns?.Release();
        }
    }

    private LeasedTokens NewTokens(string userId, RateLimitKind kind)
    {
        var caller = Caller.User(userId, account);
        var grain = grainOf(userId);
        return new LeasedTokens(
            // Every call of the user that finds no token waits for this one: it must not outlive a silo loss.
            returned => clusterChanges.UntilSiloLossAsync(() => grain.Lease(caller, kind, returned)),
            returned => grain.Return(caller, kind, returned).Ignore(),
            time);
    }

    private sealed class User(LeasedTokens?[] tokens)
    {
        public int Connections { get; set; }

        /// <summary>By <see cref="RateLimitKind"/>, made at the user's first call of that kind.</summary>
        public LeasedTokens?[] Tokens { get; } = tokens;

        /// <summary>Turns of the user's charges of several tokens (<see cref="TakeSeveralAsync"/>), made at the first; under the leases' lock.</summary>
        public SemaphoreSlim SeveralTurns => field ??= new SemaphoreSlim(1, 1);
    }
}
