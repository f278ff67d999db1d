using Cryb.Limits;

namespace Cryb.Grains.Limits;

/// <summary>
/// One user's token buckets, one per <see cref="RateLimitKind"/>, and the leases out on them: what
/// <see cref="RateLimitGrain"/> answers, without the grain, so it can be tested on a fake clock.
/// </summary>
public sealed class UserRateLimits(RateLimitOptions options, TimeProvider time, long? firstLeaseId = null)
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
    private long _nextLeaseId = firstLeaseId ?? Random.Shared.NextInt64(1, long.MaxValue / 2);

    public RateLimitDecision Take(RateLimitKind kind) =>
        BucketOf(kind).TryTake(time.GetUtcNow(), out var retryAfter)
            ? RateLimitDecision.Allow
            : new RateLimitDecision(false, Milliseconds(retryAfter));

    public RateLimitLease Lease(RateLimitKind kind, ReturnedTokens? returned)
    {
        var bucket = BucketOf(kind);
        var now = time.GetUtcNow();
        if (returned is not null)
        {
            bucket.Return(returned.LeaseId, returned.Unspent, now);
        }

        var id = _nextLeaseId++;
        var tokens = bucket.Lease(id, options.For(kind).LeaseSize, LeaseLifetime, now, out var retryAfter);
        return new RateLimitLease(id, tokens, Milliseconds(LeaseLifetime), Milliseconds(retryAfter));
    }

    public void Return(RateLimitKind kind, ReturnedTokens returned) =>
        BucketOf(kind).Return(returned.LeaseId, returned.Unspent, time.GetUtcNow());

    public TokenBucket BucketOf(RateLimitKind kind)
    {
        if (!_buckets.TryGetValue(kind, out var bucket))
        {
            var limit = options.For(kind);
            _buckets[kind] = bucket = new TokenBucket(limit.PerSecond, limit.Burst, time.GetUtcNow());
        }

        return bucket;
    }

    private static int Milliseconds(TimeSpan duration) => (int)Math.Ceiling(duration.TotalMilliseconds);
}
