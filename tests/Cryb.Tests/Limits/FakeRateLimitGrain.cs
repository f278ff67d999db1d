using Cryb.Grains.Limits;
using Cryb.Identity;
using Cryb.Limits;

namespace Cryb.Tests.Limits;

/// <summary>
/// A user's rate-limit grain without a cluster: the grain's own <see cref="UserRateLimits"/> with one
/// limit for every kind, on the test's clock, lease ids from 1, counting the calls a gateway makes.
/// </summary>
public sealed class FakeRateLimitGrain(RateLimit limit, TimeProvider time) : IRateLimitGrain
{
    private readonly UserRateLimits _limits = new(new RateLimitOptions { Messages = limit, Typing = limit, Calls = limit }, time, firstLeaseId: 1);

    public int Leases { get; private set; }
    public int Returns { get; private set; }
    public int Takes { get; private set; }

    /// <summary>Every lease ended, with its unspent tokens, whether by a return or by the next request.</summary>
    public List<ReturnedTokens> Returned { get; } = [];

    /// <summary>When set, lease answers wait for it: requests in flight, as over the network.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public double Available => _limits.BucketOf(RateLimitKind.Message).Available(time.GetUtcNow());
    public int Leased => _limits.BucketOf(RateLimitKind.Message).Leased(time.GetUtcNow());

    public Task<RateLimitDecision> Take(Caller caller, RateLimitKind kind)
    {
        Takes++;
        return Task.FromResult(_limits.Take(kind));
    }

    public async Task<RateLimitLease> Lease(Caller caller, RateLimitKind kind, ReturnedTokens? returned)
    {
        Leases++;
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        if (returned is not null)
        {
            Returned.Add(returned);
        }

        return _limits.Lease(kind, returned);
    }

    public Task Return(Caller caller, RateLimitKind kind, ReturnedTokens returned)
    {
        Returns++;
        Returned.Add(returned);
        _limits.Return(kind, returned);
        return Task.CompletedTask;
    }
}
