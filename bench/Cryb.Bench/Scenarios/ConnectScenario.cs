using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;

namespace Cryb.Bench.Scenarios;

/// <summary>The parameters of <c>connect</c>; the defaults are the target (1,000 connections/s).</summary>
public sealed record ConnectOptions
{
    public double Rate { get; init; } = 1000;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Connections arriving at a fixed rate (open model: connection i starts at <c>start + i / rate</c>
/// whatever happened to the earlier ones), each a distinct user with a token fetched before:
/// connect-to-<c>Ready</c> latency from the intended start, connections/s achieved, errors; then
/// every connection is held a while and must still be open.
/// </summary>
public static class ConnectScenario
{
    public const string Name = "connect";

    public static IReadOnlyList<OptionSpec<ConnectOptions>> Specs { get; } =
    [
        new("rate", "connections started per second", o => o.Rate, (o, v) => o with { Rate = v.Double(min: 0.01) }),
        new("duration", "seconds of arrivals (rate x duration connections in all)", o => o.Duration, (o, v) => o with { Duration = v.Seconds(min: 0.01) }),
        new("hold", "seconds to keep every connection open after the last arrival before checking they all still are", o => o.Hold, (o, v) => o with { Hold = v.Seconds() }),
    ];

    public static async Task<ConnectResult> RunAsync(BenchContext context, ConnectOptions options, CancellationToken cancellation)
    {
        var started = DateTimeOffset.UtcNow;
        var total = Math.Max(1, (int)Math.Round(options.Rate * options.Duration.TotalSeconds));
        var users = Enumerable.Range(0, total).Select(i => context.UserId("c", i)).ToArray();
        var tokens = await DevTokens.FetchAsync(context.Gateways, users, context.SetupConcurrency, cancellation);
        context.Log($"{total} tokens fetched; opening {options.Rate:0.#} connections/s for {options.Duration.TotalSeconds:0.#} s");
        // Built before the window: only StartAsync and the wait for Ready are measured.
        var clients = users.Select((user, i) => BenchClient.Create(context, context.Gateway(i), user, tokens[i])).ToArray();
        try
        {
            var latency = new LatencyHistogram();
            var errors = new ErrorCounter();
            var start = BenchClock.NowMicros + 100_000;
            long lastReady = start;
            var intervalMicros = 1_000_000.0 / options.Rate;
            var meter = new CpuMeter(context.Processes);
            await BenchClock.WaitUntilAsync(start, cancellation);
            meter.Start();
            var attempts = new Task[total];
            for (var i = 0; i < total; i++)
            {
                var intended = start + (long)(i * intervalMicros);
                await BenchClock.WaitUntilAsync(intended, cancellation);
                attempts[i] = ConnectOneAsync(clients[i], intended);
            }

            await Task.WhenAll(attempts);
            var connected = clients.Where(client => client.ReadyAtMicros > 0).ToArray();
            var cpu = meter.Stop(connected.Length, "connections");
            var window = (lastReady - start) / 1_000_000.0;
            context.Log($"{connected.Length} of {total} connected; holding them {options.Hold.TotalSeconds:0.#} s");
            await Task.Delay(options.Hold, cancellation);
            var dropped = connected.Count(client => client.Dropped);
            return new ConnectResult(
                RunInfo.Of(context, Name, started), options, total, connected.Length, errors.Snapshot(), latency.Summarize(),
                options.Rate, window > 0 ? Math.Round(connected.Length / window, 1) : 0, connected.Length - dropped, dropped, cpu);

            async Task ConnectOneAsync(BenchClient client, long intended)
            {
                try
                {
                    await client.ConnectAsync(context.ConnectTimeout, cancellation);
                    latency.Record(client.ReadyAtMicros - intended);
                    AtomicMax.Update(ref lastReady, client.ReadyAtMicros);
                }
                catch (Exception ex) when (!cancellation.IsCancellationRequested)
                {
                    errors.Add(ex);
                }
            }
        }
        finally
        {
            await ClientFleet.DisposeAllAsync(clients, context.SetupConcurrency);
        }
    }
}
