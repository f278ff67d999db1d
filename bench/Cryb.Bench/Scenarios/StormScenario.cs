using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;

namespace Cryb.Bench.Scenarios;

/// <summary>
/// The parameters of <c>storm</c>; the defaults are the target: a gateway holding 20,000
/// connections killed while 1,000 channels carry messages.
/// </summary>
public sealed record StormOptions
{
    /// <summary>Connections on the gateway that is killed.</summary>
    public int Connections { get; init; } = 20000;
    public int Channels { get; init; } = 1000;

    /// <summary>Senders on the gateway that stays, one a channel at least: every channel carries messages through the storm.</summary>
    public int Senders { get; init; } = 1000;
    public double Rate { get; init; } = 0.2;
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Into the measured window, when the gateway is killed.</summary>
    public TimeSpan KillAfter { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(40);
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two attempts of one client, as docs/protocol.md advises (30 s).</summary>
    public TimeSpan BackoffCap { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// A reconnect storm: the first gateway, holding every receiver's connection, is killed (SIGKILL)
/// while senders on the second keep sending. Every receiver reconnects to the second gateway as
/// docs/protocol.md advises client authors (at once, then jittered exponential backoff, or the retry
/// time a <c>try_again</c> refusal names) and resumes its channel from the last seq it had. Reports
/// kill-to-<c>Ready</c> and kill-to-resumed per client, the refusals on the way, and checks that
/// every member holds every acknowledged message and that no other process died.
/// </summary>
public static class StormScenario
{
    public const string Name = "storm";
    private const int Victim = 0, Survivor = 1;

    public static IReadOnlyList<OptionSpec<StormOptions>> Specs { get; } =
    [
        new("connections", "connections on the gateway that is killed (receivers, client c in channel c mod --channels)", o => o.Connections, (o, v) => o with { Connections = v.Int(min: 1) }),
        new("channels", "channels the receivers are in", o => o.Channels, (o, v) => o with { Channels = v.Int(min: 1) }),
        new("senders", "senders on the gateway that stays (at least one a channel)", o => o.Senders, (o, v) => o with { Senders = v.Int(min: 1) }),
        new("rate", "messages per second per sender, open model", o => o.Rate, (o, v) => o with { Rate = v.Double(min: 0.01) }),
        .. SharedSpecs.Window<StormOptions>(
            o => o.Warmup, (o, t) => o with { Warmup = t },
            o => o.Duration, (o, t) => o with { Duration = t },
            o => o.Drain, (o, t) => o with { Drain = t }),
        new("kill-after", "seconds into the measured window when the first gateway is killed", o => o.KillAfter, (o, v) => o with { KillAfter = v.Seconds() }),
        new("backoff-cap", "seconds: the longest wait between two reconnect attempts of a client", o => o.BackoffCap, (o, v) => o with { BackoffCap = v.Seconds(min: 0.01) }),
    ];

    public static async Task<StormResult> RunAsync(BenchContext context, StormOptions options, CancellationToken cancellation)
    {
        if (context.Gateways.Count < 2)
        {
            throw new UsageException("storm kills the first gateway and reconnects its clients to the second: give two gateways.");
        }

        var victim = context.Processes.FirstOrDefault(process => process.IsGateway && process.Name == "gateway-1")
            ?? throw new UsageException("storm kills the first gateway: name its process (--process gateway-1=PID), as ./cryb bench does.");
        if (options.KillAfter >= options.Duration)
        {
            throw new UsageException($"--kill-after ({options.KillAfter.TotalSeconds} s) must fall inside --duration ({options.Duration.TotalSeconds} s).");
        }

        FileLimits.RequireRoomFor(options.Connections + options.Senders, "--connections and --senders");
        var started = DateTimeOffset.UtcNow;
        var shape = LoadShape.Storm(options.Senders + options.Connections, options.Channels, options.Senders, Victim, Survivor);
        await using var load = await MessageLoad.StartAsync(context, shape, padding: 0, cancellation);
        var storm = new Storm(context, load, victim, options);
        var step = await load.RunStepAsync(options.Rate, options.Warmup, options.Duration, options.Drain, cancellation, storm.RunAsync);
        return new StormResult(
            new MessageLoadResult(RunInfo.Of(context, Name, started), options, ShapeSummary.Of(shape, context.Gateways.Count), [step], step.Correctness),
            storm.Figures());
    }

    /// <summary>The kill and the comeback, run beside the sends.</summary>
    private sealed class Storm(BenchContext context, MessageLoad load, MonitoredProcess victim, StormOptions options)
    {
        private readonly LatencyHistogram _ready = new();
        private readonly LatencyHistogram _resumed = new();
        private readonly ErrorCounter _refusals = new();
        private readonly List<double> _resumedSeconds = [];
        private long _killedAt;
        private int _recovered;
        private int _missed;
        private int _mostAttempts;
        private CpuReport? _cpu;
        private IReadOnlyList<string> _died = [];

        public async Task RunAsync(StepRecorder recorder, CancellationToken cancellation)
        {
            load.ExpectDrops = true;
            await BenchClock.WaitUntilAsync(recorder.WindowStart + BenchClock.ToMicros(options.KillAfter), cancellation);
            var meter = CpuMeter.StartNew(context.Processes);
            _killedAt = BenchClock.NowMicros;
            System.Diagnostics.Process.GetProcessById(victim.Pid).Kill();
            context.Log($"killed {victim.Name} (pid {victim.Pid}) holding {options.Connections} connections; they reconnect to {context.Gateways[Survivor]}");
            var receivers = Enumerable.Range(options.Senders, options.Connections);
            await Task.WhenAll(receivers.Select(client => RecoverOneAsync(client, cancellation)));
            _cpu = meter.Stop(_recovered, "connections");
            context.Log($"{_recovered} of {options.Connections} resumed; the last {(_resumedSeconds.Count == 0 ? 0 : _resumedSeconds.Max()):0.0} s after the kill");
            _died = context.Processes.Where(process => process != victim && !Directory.Exists($"/proc/{process.Pid}")).Select(process => process.Name).ToArray();
        }

        private async Task RecoverOneAsync(int client, CancellationToken cancellation)
        {
            var recovery = await load.RecoverAsync(client, context.Gateways[Survivor], DelayAfter, cancellation);
            _ready.Record(recovery.ReadyMicros - _killedAt);
            _resumed.Record(recovery.ResumedMicros - _killedAt);
            foreach (var refusal in recovery.Refusals)
            {
                _refusals.Add(refusal, refusal);
            }

            lock (_resumedSeconds)
            {
                _resumedSeconds.Add((recovery.ResumedMicros - _killedAt) / 1e6);
                _recovered++;
                _missed += recovery.Answer.Missed.Count;
                _mostAttempts = Math.Max(_mostAttempts, recovery.Refusals.Count + 1);
            }
        }

        /// <summary>
        /// docs/protocol.md's advice: the first attempt at once (made before any failure), then a random
        /// wait up to 1 s, 2 s, 4 s, ... at most the cap; after a <c>try_again</c>, its Retry-After
        /// and a random share of a second more.
        /// </summary>
        private TimeSpan DelayAfter(int failures, TimeSpan? named) =>
            named ?? TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Math.Min(options.BackoffCap.TotalMilliseconds, 1000 * Math.Pow(2, failures - 1)));

        public StormFigures Figures()
        {
            var seconds = _resumedSeconds.Order().ToArray();
            return new StormFigures(
                victim.Name, options.Connections, _recovered, _ready.Summarize(), _resumed.Summarize(), _refusals.Snapshot(),
                _mostAttempts, _missed, _cpu, _died,
                [.. seconds.Select((at, i) => new ResumedPoint(Math.Round(at, 2), i + 1)).Where((_, i) => i % Math.Max(1, seconds.Length / 200) == 0 || i == seconds.Length - 1)]);
        }
    }
}
