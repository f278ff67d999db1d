using Cryb.Errors;
using Cryb.Identity;
using Cryb.Limits;
using Microsoft.Extensions.Options;

namespace Cryb.Grains.Limits;

/// <summary>
/// A user's token buckets. Not persisted: limits protect the cluster from floods, and a bucket that
/// starts full after a silo loss lets through at most one extra burst.
/// </summary>
public sealed class RateLimitGrain(IOptions<RateLimitOptions> options, TimeProvider time) : Grain, IRateLimitGrain
{
    private readonly Dictionary<RateLimitKind, TokenBucket> _buckets = [];

    public Task<RateLimitDecision> Take(Caller caller, RateLimitKind kind)
    {
        if (caller.MemberId != this.GetPrimaryKeyString())
        {
            throw new ChatException(ErrorCodes.Forbidden, "A user spends only their own rate limit.");
        }

        var now = time.GetUtcNow();
        if (!_buckets.TryGetValue(kind, out var bucket))
        {
            var limit = options.Value.For(kind);
            _buckets[kind] = bucket = new TokenBucket(limit.PerSecond, limit.Burst, now);
        }

        return Task.FromResult(bucket.TryTake(now, out var retryAfter)
            ? RateLimitDecision.Allow
            : new RateLimitDecision(false, (int)Math.Ceiling(retryAfter.TotalMilliseconds)));
    }
}
