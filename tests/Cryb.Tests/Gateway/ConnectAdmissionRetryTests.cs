using Cryb.Gateway.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Cryb.Tests.Gateway;

/// <summary>
/// The retry time a refused connect is given grows with the herd: a gateway that refused few asks
/// for a second or so, one that refused thousands more than it sets up in a second spreads them
/// over the time it needs (at most 30 s), so they do not all come back at once to be refused again.
/// </summary>
public sealed class ConnectAdmissionRetryTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_few_refusals_ask_for_half_a_second_to_a_second_and_a_half()
    {
        var admission = new ConnectAdmission(new ChatHubOptions(), _time);

        var hints = Enumerable.Range(0, 20).Select(_ => admission.NextRetryAfterMs()).ToArray();

        Assert.All(hints, hint => Assert.InRange(hint, 500, 1500));
    }

    [Fact]
    public void A_herd_far_beyond_the_rate_of_setups_is_spread_over_the_time_it_needs_at_most_30_s()
    {
        var admission = new ConnectAdmission(new ChatHubOptions(), _time);
        for (var i = 0; i < 100; i++)
        {
            admission.Ready(); // 100 set up a second
        }

        // 2,000 refused within the second: 20 s of setups at that rate.
        var hints = Enumerable.Range(0, 2000).Select(_ => admission.NextRetryAfterMs()).ToArray();

        Assert.All(hints, hint => Assert.InRange(hint, 500, 30_000));
        Assert.True(hints.Max() > 10_000, $"the latest retry asked for is {hints.Max()} ms");
        // The first few of a herd are told early (nothing shows a herd yet): fewer than a third.
        Assert.True(hints.Count(hint => hint <= 2000) < hints.Length / 3, $"{hints.Count(hint => hint <= 2000)} of the herd were told to come back within 2 s");

        // Two quiet seconds later, the herd is forgotten.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.InRange(admission.NextRetryAfterMs(), 500, 1500);
    }

    [Fact]
    public void A_connection_counts_as_being_set_up_until_its_lease_ends_and_at_most_10_s()
    {
        var admission = new ConnectAdmission(new ChatHubOptions { MaxConnectsInFlight = 1 }, _time);

        var stalled = admission.TryEnter(refusable: true);
        Assert.NotNull(stalled);
        Assert.Null(admission.TryEnter(refusable: true));

        _time.Advance(ConnectAdmission.LongestSetup);
        Assert.Equal(0, admission.InFlight);
        using var next = admission.TryEnter(refusable: true);
        Assert.NotNull(next);

        // Ending a lease the clock already ended frees nothing twice.
        stalled!.Dispose();
        Assert.Equal(1, admission.InFlight);
    }

    [Fact]
    public void A_released_lease_lets_its_timer_go_though_the_connection_keeps_the_lease()
    {
        var time = new TimerRecordingTimeProvider();
        var admission = new ConnectAdmission(new ChatHubOptions(), time);

        // The lease stays in its request's features for the connection's life; its Ready releases it.
        var lease = admission.TryEnter(refusable: true)!;
        lease.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(time.Created.Single().TryGetTarget(out _), "a released lease still holds its timer: 120 bytes per idle connection");
        GC.KeepAlive(lease);
    }

    /// <summary>A fake clock that remembers, without holding them, the timers it made.</summary>
    private sealed class TimerRecordingTimeProvider : FakeTimeProvider
    {
        public List<WeakReference<ITimer>> Created { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Created.Add(new WeakReference<ITimer>(timer));
            return timer;
        }
    }
}
