using Cryb.Errors;
using Cryb.Grains.Telemetry;
using Cryb.Identity;
using Cryb.Limits;
using Microsoft.Extensions.Options;

namespace Cryb.Grains.Limits;

/// <summary>
/// A user's token buckets. Not persisted: limits protect the cluster from floods, and a bucket that
/// starts full after a silo loss lets through at most one extra burst (plus the leases still out).
/// </summary>
public sealed class RateLimitGrain(IOptions<RateLimitOptions> options, TimeProvider time, SiloMetrics metrics) : Grain, IRateLimitGrain
{
    /// <summary>
    /// How long a gateway may spend a lease. A user writing a message every second or two spends a
    /// lease of 5 within it and asks once per lease; the bench's senders (10 a second) once per 50
    /// sends. Tokens left on a gateway the user went quiet on hold back at most half the burst for
    /// this long, or until their last connection there closes and the gateway returns them.
    /// </summary>
    public static readonly TimeSpan LeaseLifetime = TimeSpan.FromSeconds(5);

    private readonly Dictionary<RateLimitKind, TokenBucket> _buckets = [];

    /// <summary>
    /// Lease ids start at a random number in each activation, so a lease returned to a later
    /// activation (after a silo loss) never ends one that activation granted.
    /// </summary>
    private long _nextLeaseId = Random.Shared.NextInt64(1, long.MaxValue / 2);

    public Task<RateLimitDecision> Take(Caller caller, RateLimitKind kind)
    {
        metrics.RateLimitCall("take");
        var bucket = BucketOf(caller, kind, out var now);
        return Task.FromResult(bucket.TryTake(now, out var retryAfter)
            ? RateLimitDecision.Allow
            : new RateLimitDecision(false, Milliseconds(retryAfter)));
    }

    public Task<RateLimitLease> Lease(Caller caller, RateLimitKind kind, ReturnedTokens? returned)
    {
        metrics.RateLimitCall("lease");
        var bucket = BucketOf(caller, kind, out var now);
        if (returned is not null)
        {
            bucket.Return(returned.LeaseId, returned.Unspent, now);
        }

        var id = _nextLeaseId++;
        var tokens = bucket.Lease(id, options.Value.For(kind).LeaseSize, LeaseLifetime, now, out var retryAfter);
        return Task.FromResult(new RateLimitLease(id, tokens, Milliseconds(LeaseLifetime), Milliseconds(retryAfter)));
    }

    public Task Return(Caller caller, RateLimitKind kind, ReturnedTokens returned)
    {
        metrics.RateLimitCall("return");
        var bucket = BucketOf(caller, kind, out var now);
        bucket.Return(returned.LeaseId, returned.Unspent, now);
        return Task.CompletedTask;
    }

    private TokenBucket BucketOf(Caller caller, RateLimitKind kind, out DateTimeOffset now)
    {
        if (caller.MemberId != this.GetPrimaryKeyString())
        {
            throw new ChatException(ErrorCodes.Forbidden, "A user spends only their own rate limit.");
        }

        now = time.GetUtcNow();
        if (!_buckets.TryGetValue(kind, out var bucket))
        {
            var limit = options.Value.For(kind);
            _buckets[kind] = bucket = new TokenBucket(limit.PerSecond, limit.Burst, now);
        }

        return bucket;
    }

    private static int Milliseconds(TimeSpan duration) => (int)Math.Ceiling(duration.TotalMilliseconds);
}
