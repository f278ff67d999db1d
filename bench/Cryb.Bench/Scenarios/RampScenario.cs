using System.Globalization;
using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Reporting;

namespace Cryb.Bench.Scenarios;

/// <summary>The parameters of <c>ramp</c>: the <c>fanout</c> shape, with the per-sender rate stepped up.</summary>
public sealed record RampOptions
{
    public int Clients { get; init; } = 1000;
    public int Channels { get; init; } = 50;
    public int Senders { get; init; } = 100;
    public double StartRate { get; init; } = 2;
    public double StepFactor { get; init; } = 1.25;
    public double StepAdd { get; init; }
    public int MaxSteps { get; init; } = 30;
    public double P99BoundMs { get; init; } = 100;
    public double MinAchieved { get; init; } = 0.95;
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The first step's warmup: a fresh cluster compiles its hot paths and activates its grains in
    /// it. With only the 3 s of later steps, the first step measured that and failed at 8.5 ms of
    /// CPU per send, several times a warm step's; after 15 s, a step about a minute after the start
    /// still had p99 167 to 212 ms at 313 sends/s, where a warm cluster holds 10 to 14 ms.
    /// </summary>
    public TimeSpan FirstWarmup { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(10);
    public int Padding { get; init; }
}

/// <summary>
/// The <c>fanout</c> shape with the same connected clients, stepping the per-sender rate up until
/// end-to-end p99 passes the bound, a message is lost, duplicated or reordered, a send fails, or
/// acknowledged sends fall below the wanted share of offered ones. Reports every step and the
/// best one within the bound.
/// </summary>
public static class RampScenario
{
    public const string Name = "ramp";

    public static IReadOnlyList<OptionSpec<RampOptions>> Specs { get; } =
    [
        new("clients", "connected clients, as in fanout", o => o.Clients, (o, v) => o with { Clients = v.Int(min: 1) }),
        new("channels", "channels, as in fanout", o => o.Channels, (o, v) => o with { Channels = v.Int(min: 1) }),
        new("senders", "sending clients, as in fanout", o => o.Senders, (o, v) => o with { Senders = v.Int(min: 1) }),
        new("start-rate", "messages per second per sender in the first step", o => o.StartRate, (o, v) => o with { StartRate = v.Double(min: 0.01) }),
        new("step-factor", "each step's rate is the previous one times this (unless --step-add is set)", o => o.StepFactor, (o, v) => o with { StepFactor = v.Double(min: 1.001) }),
        new("step-add", "when above 0, each step's rate is the previous one plus this instead", o => o.StepAdd, (o, v) => o with { StepAdd = v.Double() }),
        new("max-steps", "stop after this many steps", o => o.MaxSteps, (o, v) => o with { MaxSteps = v.Int(min: 1) }),
        new("p99-bound", "stop once end-to-end p99 (ms) is above this", o => o.P99BoundMs, (o, v) => o with { P99BoundMs = v.Double(min: 0.001) }),
        new("min-achieved", "stop once acknowledged sends/s fall below this share of offered", o => o.MinAchieved, (o, v) => o with { MinAchieved = v.Double() }),
        .. SharedSpecs.Window<RampOptions>(
            o => o.Warmup, (o, t) => o with { Warmup = t },
            o => o.Duration, (o, t) => o with { Duration = t },
            o => o.Drain, (o, t) => o with { Drain = t }, per: " per step"),
        new("first-warmup", "seconds of load before the first step's measurement, for a cluster still compiling and activating", o => o.FirstWarmup, (o, v) => o with { FirstWarmup = v.Seconds() }),
        SharedSpecs.Padding<RampOptions>(o => o.Padding, (o, n) => o with { Padding = n }),
    ];

    public static async Task<MessageLoadResult> RunAsync(BenchContext context, RampOptions options, CancellationToken cancellation)
    {
        var started = DateTimeOffset.UtcNow;
        var shape = LoadShape.Fanout(options.Clients, options.Channels, options.Senders, context.Gateways.Count);
        await using var load = await MessageLoad.StartAsync(context, shape, options.Padding, cancellation);
        var steps = new List<LoadStepResult>();
        LoadStepResult? best = null;
        var stopReason = $"reached --max-steps {options.MaxSteps}";
        var rate = options.StartRate;
        for (var i = 0; i < options.MaxSteps; i++)
        {
            var step = await load.RunStepAsync(rate, i == 0 ? options.FirstWarmup : options.Warmup, options.Duration, options.Drain, cancellation);
            steps.Add(step);
            var failure = WhyStop(step, options);
            context.Log($"step {step.Step}: {step.AchievedSendsPerSecond:0} acked sends/s, {step.DeliveriesPerSecond:0} deliveries/s, p99 {step.EndToEnd.P99} ms{(failure is null ? "" : $" -> stop: {failure}")}");
            if (failure is not null)
            {
                stopReason = $"step {step.Step}: {failure}";
                break;
            }

            if (best is null || step.DeliveriesPerSecond > best.DeliveriesPerSecond)
            {
                best = step;
            }

            rate = options.StepAdd > 0 ? rate + options.StepAdd : rate * options.StepFactor;
        }

        var ramp = new RampSummary(options.P99BoundMs, stopReason, best?.Step, best?.DeliveriesPerSecond ?? 0, best?.AchievedSendsPerSecond ?? 0);
        return new MessageLoadResult(RunInfo.Of(context, Name, started), options, ShapeSummary.Of(shape, context.Gateways.Count), steps, load.Check(), ramp);
    }

    /// <summary>Why the ramp should stop after <paramref name="step"/>, or null to go on.</summary>
    public static string? WhyStop(LoadStepResult step, RampOptions options)
    {
        if (!step.Passed)
        {
            return string.Join("; ", step.Failures);
        }

        if (step.EndToEnd.P99 > options.P99BoundMs)
        {
            return $"p99 {step.EndToEnd.P99.ToString(CultureInfo.InvariantCulture)} ms above {options.P99BoundMs.ToString(CultureInfo.InvariantCulture)} ms";
        }

        if (step.AchievedRatio < options.MinAchieved)
        {
            return $"acknowledged {step.AchievedRatio:P0} of offered sends";
        }

        return null;
    }
}
