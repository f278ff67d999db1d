using Cryb.Grains.Limits;
using Cryb.Identity;
using Cryb.Limits;

namespace Cryb.Tests.Limits;

/// <summary>
/// A user's rate-limit grain without a cluster: the real <see cref="TokenBucket"/> and lease size of
/// one limit, on the test's clock, counting the calls a gateway makes.
/// </summary>
public sealed class FakeRateLimitGrain(RateLimit limit, TimeProvider time) : IRateLimitGrain
{
    private readonly TokenBucket _bucket = new(limit.PerSecond, limit.Burst, time.GetUtcNow());
    private long _nextLeaseId = 1;

    public int Leases { get; private set; }
    public int Returns { get; private set; }
    public int Takes { get; private set; }
    public List<ReturnedTokens> Returned { get; } = [];

    /// <summary>When set, lease answers wait for it: requests in flight, as over the network.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public double Available => _bucket.Available(time.GetUtcNow());
    public int Leased => _bucket.Leased(time.GetUtcNow());

    public Task<RateLimitDecision> Take(Caller caller, RateLimitKind kind)
    {
        Takes++;
        return Task.FromResult(_bucket.TryTake(time.GetUtcNow(), out var retryAfter)
            ? RateLimitDecision.Allow
            : new RateLimitDecision(false, (int)Math.Ceiling(retryAfter.TotalMilliseconds)));
    }

    public async Task<RateLimitLease> Lease(Caller caller, RateLimitKind kind, ReturnedTokens? returned)
    {
        Leases++;
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        var now = time.GetUtcNow();
        if (returned is not null)
        {
            Returned.Add(returned);
            _bucket.Return(returned.LeaseId, returned.Unspent, now);
        }

        var id = _nextLeaseId++;
        var tokens = _bucket.Lease(id, limit.LeaseSize, RateLimitGrain.LeaseLifetime, now, out var retryAfter);
        return new RateLimitLease(id, tokens, (int)RateLimitGrain.LeaseLifetime.TotalMilliseconds, (int)Math.Ceiling(retryAfter.TotalMilliseconds));
    }

    public Task Return(Caller caller, RateLimitKind kind, ReturnedTokens returned)
    {
        Returns++;
        Returned.Add(returned);
        _bucket.Return(returned.LeaseId, returned.Unspent, time.GetUtcNow());
        return Task.CompletedTask;
    }
}
