using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Reporting;

namespace Cryb.Bench.Scenarios;

/// <summary>The parameters of <c>fanout</c>; the defaults are the target shape (1,000 sends/s, 20,000 deliveries/s).</summary>
public sealed record FanoutOptions
{
    public int Clients { get; init; } = 1000;
    public int Channels { get; init; } = 50;
    public int Senders { get; init; } = 100;
    public double Rate { get; init; } = 10;
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(10);
    public int Padding { get; init; }
}

/// <summary>
/// N clients in K channels, S of them sending R messages/s each (open model), for one measured
/// window: send and delivery rates, end-to-end and acknowledgement latency, and correctness.
/// </summary>
public static class FanoutScenario
{
    public const string Name = "fanout";

    public static IReadOnlyList<OptionSpec<FanoutOptions>> Specs { get; } =
    [
        new("clients", "connected clients (N), spread over the gateways so every channel has members on each", o => o.Clients, (o, v) => o with { Clients = v.Int(min: 1) }),
        new("channels", "channels (K); client c is in channel c mod K", o => o.Channels, (o, v) => o with { Channels = v.Int(min: 1) }),
        new("senders", "sending clients (S), spread evenly over the channels", o => o.Senders, (o, v) => o with { Senders = v.Int(min: 1) }),
        new("rate", "messages per second per sender (R), open model", o => o.Rate, (o, v) => o with { Rate = v.Double(min: 0.01) }),
        .. SharedSpecs.Window<FanoutOptions>(
            o => o.Warmup, (o, t) => o with { Warmup = t },
            o => o.Duration, (o, t) => o with { Duration = t },
            o => o.Drain, (o, t) => o with { Drain = t }),
        SharedSpecs.Padding<FanoutOptions>(o => o.Padding, (o, n) => o with { Padding = n }),
    ];

    public static Task<MessageLoadResult> RunAsync(BenchContext context, FanoutOptions options, CancellationToken cancellation) =>
        MessageLoad.RunOneStepAsync(
            context, Name, options, LoadShape.Fanout(options.Clients, options.Channels, options.Senders, context.Gateways.Count),
            options.Rate, options.Warmup, options.Duration, options.Drain, options.Padding, cancellation);
}
