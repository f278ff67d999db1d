using Cryb.Grains.Limits;
using Microsoft.Extensions.Time.Testing;

namespace Cryb.Tests.Limits;

/// <summary>The grain's bucket with leases, on a fake clock: 5 tokens a second, bursts of 10, leases of 5.</summary>
public sealed class TokenBucketTests
{
    private static readonly TimeSpan Lifetime = UserRateLimits.LeaseLifetime;

    private readonly FakeTimeProvider _time = new();

    private TokenBucket Bucket(double perSecond = 5, int burst = 10) => new(perSecond, burst, _time.GetUtcNow());

    [Fact]
    public void A_lease_is_never_more_than_the_bucket_holds()
    {
        var bucket = Bucket();

        Assert.Equal(5, bucket.Lease(1, 5, Lifetime, _time.GetUtcNow(), out _));
        Assert.True(bucket.TryTake(_time.GetUtcNow(), out _));
        Assert.Equal(4, bucket.Lease(2, 5, Lifetime, _time.GetUtcNow(), out _));
        Assert.Equal(0, bucket.Lease(3, 5, Lifetime, _time.GetUtcNow(), out var retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero);
    }

    [Fact]
    public void Leased_tokens_count_against_the_burst_until_they_come_back()
    {
        var bucket = Bucket();
        bucket.Lease(1, 5, Lifetime, _time.GetUtcNow(), out _); // one spent by the call that asked, 4 on lease

        _time.Advance(TimeSpan.FromSeconds(3)); // long enough to refill 15, but 4 are out
        Assert.Equal(6, bucket.Available(_time.GetUtcNow()));
        Assert.Equal(4, bucket.Leased(_time.GetUtcNow()));

        bucket.Return(1, unspent: 2, _time.GetUtcNow()); // the gateway spent 2 more
        Assert.Equal(8, bucket.Available(_time.GetUtcNow()));
        Assert.Equal(0, bucket.Leased(_time.GetUtcNow()));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, bucket.Available(_time.GetUtcNow()));
    }

    [Fact]
    public void An_expired_lease_counts_as_spent_and_the_bucket_refills_past_it_from_its_expiry()
    {
        var bucket = Bucket();
        bucket.Lease(1, 5, Lifetime, _time.GetUtcNow(), out _);
        bucket.Lease(2, 5, Lifetime, _time.GetUtcNow(), out _);

        _time.Advance(Lifetime + TimeSpan.FromSeconds(0.4));

        // Held at 2 while 8 were out, then 0.4 s of refill at 5 a second.
        Assert.Equal(4, bucket.Available(_time.GetUtcNow()), precision: 6);
        Assert.Equal(0, bucket.Leased(_time.GetUtcNow()));
        bucket.Return(1, unspent: 4, _time.GetUtcNow()); // too late: counted as spent already
        Assert.Equal(4, bucket.Available(_time.GetUtcNow()), precision: 6);
    }

    [Fact]
    public void A_dry_bucket_sends_a_lease_back_when_a_whole_lease_is_there_and_a_single_take_when_one_token_is()
    {
        var bucket = Bucket();
        bucket.Lease(1, 5, Lifetime, _time.GetUtcNow(), out _);
        bucket.Return(1, unspent: 0, _time.GetUtcNow());
        bucket.Lease(2, 5, Lifetime, _time.GetUtcNow(), out _);
        bucket.Return(2, unspent: 0, _time.GetUtcNow());

        Assert.Equal(0, bucket.Lease(3, 5, Lifetime, _time.GetUtcNow(), out var leaseRetry));
        Assert.False(bucket.TryTake(_time.GetUtcNow(), out var takeRetry));

        Assert.Equal(TimeSpan.FromSeconds(1), leaseRetry);
        Assert.Equal(TimeSpan.FromSeconds(0.2), takeRetry);
        _time.Advance(leaseRetry);
        Assert.Equal(5, bucket.Lease(4, 5, Lifetime, _time.GetUtcNow(), out _));
    }

    [Fact]
    public void A_lease_of_one_token_holds_nothing_back_so_a_burst_of_one_refills_as_a_plain_bucket_does()
    {
        // Typing: one every 2 s, bursts of 1.
        var bucket = Bucket(perSecond: 0.5, burst: 1);
        Assert.Equal(1, bucket.Lease(1, 1, Lifetime, _time.GetUtcNow(), out var retryAfter));
        Assert.Equal(0, bucket.Leased(_time.GetUtcNow()));
        Assert.Equal(TimeSpan.FromSeconds(2), retryAfter);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, bucket.Lease(2, 1, Lifetime, _time.GetUtcNow(), out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, bucket.Lease(3, 1, Lifetime, _time.GetUtcNow(), out _));
    }
}
