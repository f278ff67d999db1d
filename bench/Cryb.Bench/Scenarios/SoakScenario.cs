using System.Globalization;
using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;

namespace Cryb.Bench.Scenarios;

/// <summary>The parameters of <c>soak</c>: the <c>fanout</c> shape for a long time, with members leaving and coming back.</summary>
public sealed record SoakOptions
{
    public int Clients { get; init; } = 1000;
    public int Channels { get; init; } = 50;
    public int Senders { get; init; } = 100;

    /// <summary>
    /// Half the highest rate that met p99 &lt;= 100 ms: the committed ramp
    /// (<c>docs/bench/ramp-vs-socketio</c>) held p99 79 ms at 18.63 messages/s per sender
    /// (1,863 sends/s offered) and failed the bound at the next step. A test keeps this default
    /// in step with that file; a ramp on another machine gives its own figure for <c>--rate</c>.
    /// </summary>
    public double Rate { get; init; } = 9.3;

    /// <summary>As <c>ramp</c>'s first warmup: a fresh cluster compiles and activates for about a minute.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(30);
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Members leaving per second. At 5 with 900 receivers each comes back every 3 minutes or so:
    /// about 9,000 reconnects in 30 minutes, enough for a per-connection leak to show.
    /// </summary>
    public double Churn { get; init; } = 5;

    /// <summary>Time away: 2 s at 18.6 messages/s per channel is about 40 missed messages to catch up, well under the 500 a join returns.</summary>
    public TimeSpan Offline { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan SampleEvery { get; init; } = TimeSpan.FromSeconds(10);
    public double RssLimitPercent { get; init; } = 10;
    public int Padding { get; init; }
}

/// <summary>
/// The <c>fanout</c> shape at a steady rate for a long time while receivers leave and come back
/// (<see cref="MemberChurn"/>): resident memory and CPU of every process sampled over the run, one
/// measured window for latency and correctness, and a verdict on memory growth from a warm
/// baseline to the end.
/// </summary>
public static class SoakScenario
{
    public const string Name = "soak";

    /// <summary>The baseline: memory is judged from minute 5 of the measured run to its end.</summary>
    public static readonly TimeSpan BaselineAfter = TimeSpan.FromMinutes(5);

    public static IReadOnlyList<OptionSpec<SoakOptions>> Specs { get; } =
    [
        new("clients", "connected clients, as in fanout", o => o.Clients, (o, v) => o with { Clients = v.Int(min: 1) }),
        new("channels", "channels, as in fanout", o => o.Channels, (o, v) => o with { Channels = v.Int(min: 1) }),
        new("senders", "sending clients, as in fanout; they never leave", o => o.Senders, (o, v) => o with { Senders = v.Int(min: 1) }),
        new("rate", "messages per second per sender: half the committed ramp's best within p99 <= 100 ms", o => o.Rate, (o, v) => o with { Rate = v.Double(min: 0.01) }),
        new("warmup", "seconds of load (and churn) before measuring, not recorded; also 30s, 2m", o => o.Warmup, (o, v) => o with { Warmup = v.Seconds() }),
        new("duration", "seconds measured, or with a unit: 90s, 30m, 1h", o => o.Duration, (o, v) => o with { Duration = v.Seconds(min: 1) }),
        new("drain", "at most this many seconds after the last send for its acknowledgement and deliveries", o => o.Drain, (o, v) => o with { Drain = v.Seconds() }),
        new("churn", "receivers leaving per second, each coming back after --offline and catching up (0: none)", o => o.Churn, (o, v) => o with { Churn = v.Double() }),
        new("offline", "seconds a leaving receiver stays away", o => o.Offline, (o, v) => o with { Offline = v.Seconds() }),
        new("sample-every", "seconds between readings of every process's resident memory and CPU", o => o.SampleEvery, (o, v) => o with { SampleEvery = v.Seconds(min: 1) }),
        new("rss-limit", "most a process's resident memory may grow, in percent, from minute 5 (or a sixth of a shorter run) to the end", o => o.RssLimitPercent, (o, v) => o with { RssLimitPercent = v.Double() }),
        SharedSpecs.Padding<SoakOptions>(o => o.Padding, (o, n) => o with { Padding = n }),
    ];

    /// <summary>
    /// Seconds from the load's start to the memory baseline: the warmup, then minute 5 of the
    /// measured run, or a sixth of it when that is shorter (the 5 of 30 minutes), so a
    /// short run still leaves its first, growing part out.
    /// </summary>
    public static double BaselineSeconds(TimeSpan warmup, TimeSpan duration) =>
        (warmup + TimeSpan.FromTicks(Math.Min(BaselineAfter.Ticks, duration.Ticks / 6))).TotalSeconds;

    public static async Task<SoakResult> RunAsync(BenchContext context, SoakOptions options, CancellationToken cancellation)
    {
        if (options.Churn > 0 && context.System != BenchSystem.Cryb)
        {
            throw new UsageException("soak's members catch up with JoinChannel(channelId, sinceSeq), which only Cryb answers with the missed messages; add --churn 0 for a baseline.");
        }

        var started = DateTimeOffset.UtcNow;
        var shape = LoadShape.Fanout(options.Clients, options.Channels, options.Senders, context.Gateways.Count);
        await using var load = await MessageLoad.StartAsync(context, shape, options.Padding, cancellation);
        var churn = new MemberChurn(load, options.Churn, options.Offline);
        var sampler = new ResourceSampler(context.Processes, context.MetricsUrls);
        var baseline = BaselineSeconds(options.Warmup, options.Duration);
        context.Log($"soak: {shape.Senders * options.Rate:0.#} sends/s for {options.Warmup.TotalMinutes:0.#} + {options.Duration.TotalMinutes:0.#} min, " +
                    $"{options.Churn:0.##} receivers leaving per second for {options.Offline.TotalSeconds:0.#} s; memory judged from {baseline / 60:0.#} min to the end");

        var step = await load.RunStepAsync(options.Rate, options.Warmup, options.Duration, options.Drain, cancellation, (recorder, token) =>
        {
            var origin = recorder.WindowStart - BenchClock.ToMicros(options.Warmup);
            return Task.WhenAll(
                churn.RunAsync(recorder, origin, token),
                sampler.RunAsync(origin, recorder.WindowEnd, options.SampleEvery, sample => LogMinute(context, sampler, sample, churn, options.SampleEvery), token));
        });

        var run = RunInfo.Of(context, Name, started);
        return new SoakResult(
            run, options, ShapeSummary.Of(shape, context.Gateways.Count), step, churn.Summarize(), sampler.Samples,
            baseline, MemoryGrowth.Of(sampler.Samples, baseline, options.RssLimitPercent));
    }

    /// <summary>A progress line about once a minute: a 30-minute run should show it is alive, and how memory goes.</summary>
    private static void LogMinute(BenchContext context, ResourceSampler sampler, ResourceSample sample, MemberChurn churn, TimeSpan every)
    {
        var perMinute = Math.Max(1, (int)Math.Round(60 / every.TotalSeconds));
        if ((sampler.Samples.Count - 1) % perMinute != 0)
        {
            return;
        }

        var rss = string.Join(", ", sample.ResidentKb.Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key} {pair.Value / 1024.0:0}")));
        var summary = churn.Summarize();
        context.Log(string.Create(CultureInfo.InvariantCulture, $"{sample.AtSeconds / 60:0.0} min: RSS MB {rss}; rejoined {summary.Rejoined}, failed {summary.Failed}"));
    }
}
