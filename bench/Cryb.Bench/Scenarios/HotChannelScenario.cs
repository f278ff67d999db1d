using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Reporting;

namespace Cryb.Bench.Scenarios;

/// <summary>The parameters of <c>hot-channel</c>; the defaults offer 2,400 sends/s into one channel, above the 2,000 target.</summary>
public sealed record HotChannelOptions
{
    public int Senders { get; init; } = 20;
    public double Rate { get; init; } = 120;
    public int Listeners { get; init; }
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(10);
    public int Padding { get; init; }
}

/// <summary>
/// Many senders into ONE channel (open model): how many sends a second one channel persists and
/// acknowledges, and how long acknowledgement takes. Every member (senders included) receives
/// every message, so correctness is checked as in <c>fanout</c>.
/// </summary>
public static class HotChannelScenario
{
    public const string Name = "hot-channel";

    public static IReadOnlyList<OptionSpec<HotChannelOptions>> Specs { get; } =
    [
        new("senders", "sending clients, all in the one channel", o => o.Senders, (o, v) => o with { Senders = v.Int(min: 1) }),
        new("rate", "messages per second per sender, open model", o => o.Rate, (o, v) => o with { Rate = v.Double(min: 0.01) }),
        new("listeners", "extra members that only receive", o => o.Listeners, (o, v) => o with { Listeners = v.Int() }),
        .. SharedSpecs.Window<HotChannelOptions>(
            o => o.Warmup, (o, t) => o with { Warmup = t },
            o => o.Duration, (o, t) => o with { Duration = t },
            o => o.Drain, (o, t) => o with { Drain = t }),
        SharedSpecs.Padding<HotChannelOptions>(o => o.Padding, (o, n) => o with { Padding = n }),
    ];

    public static Task<MessageLoadResult> RunAsync(BenchContext context, HotChannelOptions options, CancellationToken cancellation) =>
        MessageLoad.RunOneStepAsync(
            context, Name, options, LoadShape.SingleChannel(options.Senders, options.Listeners, context.Gateways.Count),
            options.Rate, options.Warmup, options.Duration, options.Drain, options.Padding, cancellation);
}
