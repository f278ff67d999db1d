using Cryb.Gateway.Hosting;
using Cryb.Gateway.Limits;
using Cryb.Grains.Limits;
using Cryb.Limits;
using Cryb.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Cryb.Tests.Limits;

/// <summary>
/// A gateway's leased tokens against a user's bucket, on a fake clock, with the shipped message
/// limit (5 a second, bursts of 10, leases of 5) unless a test says otherwise.
/// </summary>
public sealed class RateLimitLeasesTests
{
    private const string User = "alice";
    private static readonly RateLimit Messages = new() { PerSecond = 5, Burst = 10 };

    private readonly FakeTimeProvider _time = new();
    private readonly ClusterConnectionChanges _clusterChanges = new();

    private RateLimitLeases Gateway(FakeRateLimitGrain grain, bool connected = true)
    {
        var leases = new RateLimitLeases(_ => grain, TestAccounts.Gateway, _clusterChanges, _time);
        if (connected)
        {
            leases.Connected(User);
        }

        return leases;
    }

    private static async Task<int> AllowedOf(RateLimitLeases gateway, int calls)
    {
        var allowed = 0;
        for (var i = 0; i < calls; i++)
        {
            allowed += (await gateway.TakeAsync(User, RateLimitKind.Message)).Allowed ? 1 : 0;
        }

        return allowed;
    }

    [Fact]
    public async Task Allowed_calls_spend_a_lease_here_and_ask_the_grain_once_per_lease()
    {
        var grain = new FakeRateLimitGrain(Messages, _time);
        var gateway = Gateway(grain);

        Assert.Equal(10, await AllowedOf(gateway, 10));

        Assert.Equal(2, grain.Leases);
        Assert.Equal(0, grain.Takes);
    }

    [Fact]
    public async Task The_next_request_ends_the_spent_lease_so_the_bucket_is_not_held_below_the_burst()
    {
        var grain = new FakeRateLimitGrain(Messages, _time);
        var gateway = Gateway(grain);

        await AllowedOf(gateway, 6); // the first lease spent, one token of the second

        Assert.Equal([new ReturnedTokens(1, 0)], grain.Returned);
        Assert.Equal(4, grain.Leased); // the second lease, less the token its call spent
    }

    [Fact]
    public async Task Once_a_lease_that_emptied_the_bucket_is_spent_calls_are_refused_here_until_a_whole_lease_is_back()
    {
        var grain = new FakeRateLimitGrain(Messages, _time);
        var gateway = Gateway(grain);
        await AllowedOf(gateway, 10); // the second lease emptied the bucket

        var refused = await gateway.TakeAsync(User, RateLimitKind.Message);
        Assert.False(refused.Allowed);
        Assert.Equal(1000, refused.RetryAfterMs); // a whole lease of 5 at 5 a second

        _time.Advance(TimeSpan.FromMilliseconds(600));
        var stillRefused = await gateway.TakeAsync(User, RateLimitKind.Message);
        Assert.False(stillRefused.Allowed);
        Assert.Equal(400, stillRefused.RetryAfterMs);
        Assert.Equal(2, grain.Leases);

        _time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal(5, await AllowedOf(gateway, 5));
        Assert.Equal(3, grain.Leases);
    }

    [Fact]
    public async Task A_refusal_from_the_grain_is_answered_here_until_its_retry_time()
    {
        var grain = new FakeRateLimitGrain(Messages, _time);
        var other = Gateway(grain);
        var gateway = Gateway(grain);
        await AllowedOf(other, 10); // another gateway of the user took the burst

        Assert.False((await gateway.TakeAsync(User, RateLimitKind.Message)).Allowed);
        Assert.Equal(3, grain.Leases);
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False((await gateway.TakeAsync(User, RateLimitKind.Message)).Allowed);
        Assert.Equal(3, grain.Leases);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True((await gateway.TakeAsync(User, RateLimitKind.Message)).Allowed);
        Assert.Equal(4, grain.Leases);
    }

    [Fact]
    public async Task An_expired_lease_is_not_spent_and_its_rest_goes_back_with_the_next_request()
    {
        var grain = new FakeRateLimitGrain(Messages, _time);
        var gateway = Gateway(grain);
        await AllowedOf(gateway, 1);

        _time.Advance(UserRateLimits.LeaseLifetime);
        Assert.Equal(1, await AllowedOf(gateway, 1));

        Assert.Equal(2, grain.Leases);
        Assert.Equal([new ReturnedTokens(1, 4)], grain.Returned);
    }

    [Fact]
    public async Task Calls_that_find_no_tokens_share_one_request_for_the_next_lease()
    {
        var grain = new FakeRateLimitGrain(Messages, _time) { Gate = new() };
        var gateway = Gateway(grain);

        var calls = Enumerable.Range(0, 4).Select(_ => gateway.TakeAsync(User, RateLimitKind.Message).AsTask()).ToArray();
        Assert.Equal(1, grain.Leases);
        Assert.All(calls, call => Assert.False(call.IsCompleted));

        grain.Gate.SetResult();
        Assert.All(await Task.WhenAll(calls), decision => Assert.True(decision.Allowed));
        Assert.Equal(1, grain.Leases);
    }

    [Fact]
    public async Task Charges_of_several_tokens_take_turns_so_a_burst_that_covers_two_of_three_lets_two_through()
    {
        // Burst 10, three charges of 4 at once, all waiting for the first lease: in turn the first two
        // are paid in full and the third is refused, instead of each taking some and all refused.
        var grain = new FakeRateLimitGrain(Messages, _time) { Gate = new() };
        var gateway = Gateway(grain);

        var charges = Enumerable.Range(0, 3).Select(_ => gateway.TakeSeveralAsync(User, RateLimitKind.Message, 4).AsTask()).ToArray();
        grain.Gate.SetResult();
        var decisions = await Task.WhenAll(charges);

        Assert.Equal(2, decisions.Count(decision => decision.Allowed));
        Assert.True(decisions[2] is { Allowed: false, RetryAfterMs: > 0 }, "the last charge in turn is the one refused");
    }

    [Fact]
    public async Task A_lease_request_in_flight_at_a_silo_loss_is_given_up_and_the_calls_waiting_for_it_ask_again()
    {
        // The request went through a silo that froze: no answer comes.
        var grain = new FakeRateLimitGrain(Messages, _time) { Gate = new() };
        var gateway = Gateway(grain);
        var asking = gateway.TakeAsync(User, RateLimitKind.Message).AsTask();
        var waiting = gateway.TakeAsync(User, RateLimitKind.Message).AsTask();
        Assert.False(waiting.IsCompleted);

        grain.Gate = null; // the grain answers again, through the silos that are left
        _clusterChanges.SiloLost();

        // Not the 30 s grain call timeout: at once (the bound only keeps a regression from hanging the run).
        await Assert.ThrowsAsync<TimeoutException>(() => asking.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.True((await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).Allowed);
        Assert.Equal(2, grain.Leases);
    }

    [Fact]
    public async Task The_users_last_connection_leaving_returns_what_is_left_of_each_lease()
    {
        var grain = new FakeRateLimitGrain(Messages, _time);
        var gateway = Gateway(grain);
        gateway.Connected(User);
        await AllowedOf(gateway, 1);

        gateway.Disconnected(User);
        Assert.Equal(0, grain.Returns);

        gateway.Disconnected(User);
        Assert.Equal([new ReturnedTokens(1, 4)], grain.Returned);
        Assert.Equal(9, grain.Available);
        Assert.Equal(0, gateway.UserCount);
    }

    [Fact]
    public async Task A_lease_that_arrives_after_the_users_last_connection_left_goes_straight_back()
    {
        var grain = new FakeRateLimitGrain(Messages, _time) { Gate = new() };
        var gateway = Gateway(grain);

        var call = gateway.TakeAsync(User, RateLimitKind.Message).AsTask();
        gateway.Disconnected(User);
        grain.Gate.SetResult();

        Assert.True((await call).Allowed);
        Assert.Equal([new ReturnedTokens(1, 4)], grain.Returned);
        Assert.Equal(9, grain.Available);
    }

    [Fact]
    public async Task A_call_of_a_user_with_no_connection_here_spends_one_token_at_the_grain()
    {
        var grain = new FakeRateLimitGrain(Messages, _time);
        var gateway = Gateway(grain, connected: false);

        Assert.Equal(2, await AllowedOf(gateway, 2));

        Assert.Equal(2, grain.Takes);
        Assert.Equal(0, grain.Leases);
    }

    [Fact]
    public async Task A_lease_left_on_one_gateway_while_the_bucket_refills_adds_nothing_to_the_burst_on_both()
    {
        var grain = new FakeRateLimitGrain(Messages, _time);
        var first = Gateway(grain);
        var second = Gateway(grain);
        Assert.Equal(1, await AllowedOf(second, 1)); // the second gateway keeps 4

        _time.Advance(TimeSpan.FromSeconds(3)); // a bucket without leases would be full again

        // Both at the same instant: the burst of 10, not 10 plus the 4 held on the second gateway.
        var allowed = await AllowedOf(first, 20) + await AllowedOf(second, 20);
        Assert.Equal(10, allowed);
    }

    [Theory]
    [InlineData(5, 10)]
    [InlineData(0.5, 1)]
    [InlineData(20, 20)]
    public async Task Two_gateways_spending_at_random_never_let_the_user_past_the_burst_plus_the_refill_in_any_window(double perSecond, int burst)
    {
        var limit = new RateLimit { PerSecond = perSecond, Burst = burst };
        var grain = new FakeRateLimitGrain(limit, _time);
        var gateways = new[] { Gateway(grain), Gateway(grain) };
        var random = new Random(16);
        var allowedAt = new List<DateTimeOffset>();

        for (var step = 0; step < 4_000; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 20)));
            var gateway = gateways[random.Next(2)];
            if (random.Next(500) == 0)
            {
                // The user's only connection on that gateway leaves and comes back (every 5 s or so).
                gateway.Disconnected(User);
                gateway.Connected(User);
            }
            else if ((await gateway.TakeAsync(User, RateLimitKind.Message)).Allowed)
            {
                allowedAt.Add(_time.GetUtcNow());
            }
        }

        for (var from = 0; from < allowedAt.Count; from++)
        {
            for (var to = from; to < allowedAt.Count; to++)
            {
                var window = (allowedAt[to] - allowedAt[from]).TotalSeconds;
                if (to - from + 1 > burst + perSecond * window + 1e-9)
                {
                    Assert.Fail($"{to - from + 1} calls allowed within {window:0.000} s");
                }
            }
        }

        // And leases did their job: at most one grain call per two allowed calls, with both gateways
        // flooding (about one per five with one gateway). A burst of one leases one token at a time.
        if (burst > 1)
        {
            Assert.True(grain.Leases + grain.Returns <= allowedAt.Count / 2, $"{grain.Leases} leases and {grain.Returns} returns for {allowedAt.Count} allowed calls");
        }
    }
}
