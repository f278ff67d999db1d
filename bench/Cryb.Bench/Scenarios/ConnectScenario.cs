using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Load.Clients;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;
using Cryb.Testing;

namespace Cryb.Bench.Scenarios;

/// <summary>
/// The parameters of <c>connect</c>; the defaults are the target: 1,000 connections/s for 10 s by
/// users who are each members of 50 channels.
/// </summary>
public sealed record ConnectOptions
{
    public double Rate { get; init; } = 1000;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Channels the users share. 1,000 channels for 2,500 users in 50 each: 125 members a channel,
    /// a community's size, and every gateway subscribed to all of them, as a busy gateway is.
    /// </summary>
    public int Channels { get; init; } = 1000;

    /// <summary>People on chat platforms belong to hundreds; a connect's cost must not grow with this beyond reading the list.</summary>
    public int ChannelsPerUser { get; init; } = 50;

    /// <summary>
    /// Connections per user, as devices: 10,000 connections from 2,500 users keep the setup's joins
    /// (users × channels each) to 125,000. Under the presence grain's cap of 5.
    /// </summary>
    public int Devices { get; init; } = 4;

    /// <summary>Messages each channel holds before the connects, all unread by the members: every <c>Ready</c> has unread counts to report.</summary>
    public int Messages { get; init; } = 5;

    /// <summary>
    /// Seconds of arrivals before the measured ones, closed again before those start: 0 measures
    /// gateways fresh from their start, whose first seconds of connects go largely to the JIT.
    /// </summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.Zero;
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
        new("channels", "channels the users share (created by owners who then disconnect)", o => o.Channels, (o, v) => o with { Channels = v.Int(min: 1) }),
        new("channels-per-user", "channels each user joins before the measured connects: user u joins channels u*n .. u*n+n-1 (mod --channels); 0 for none", o => o.ChannelsPerUser, (o, v) => o with { ChannelsPerUser = v.Int() }),
        new("messages", "messages sent into each channel during setup, unread by every member when it connects", o => o.Messages, (o, v) => o with { Messages = v.Int() }),
        new("devices", "connections per user (rate x duration / devices users); at most 5, the presence grain's cap", o => o.Devices, (o, v) => o with { Devices = v.Int(min: 1) }),
        new("warmup", "seconds of arrivals at the same rate by the same users before the measured ones, closed again before those start, so the measured connects find the code compiled and tiered up as on a gateway that has run a while (0: gateways fresh from their start)", o => o.Warmup, (o, v) => o with { Warmup = v.Seconds() }),
    ];

    public static async Task<ConnectResult> RunAsync(BenchContext context, ConnectOptions options, CancellationToken cancellation)
    {
        if (options.ChannelsPerUser > options.Channels)
        {
            throw new UsageException($"--channels-per-user ({options.ChannelsPerUser}) cannot exceed --channels ({options.Channels}).");
        }

        if (options.Devices > 5)
        {
            throw new UsageException($"--devices ({options.Devices}) is above the presence grain's cap of 5 connections per user.");
        }

        var started = DateTimeOffset.UtcNow;
        var total = Math.Max(1, (int)Math.Round(options.Rate * options.Duration.TotalSeconds));
        var users = Enumerable.Range(0, (total + options.Devices - 1) / options.Devices).Select(i => context.UserId("c", i)).ToArray();
        await JoinChannelsAsync(context, options, users, cancellation);
        var tokens = await DevTokens.FetchAsync(context.Gateways, users, context.SetupConcurrency, cancellation);
        if (options.Warmup > TimeSpan.Zero)
        {
            await WarmUpAsync(context, options, users, tokens, cancellation);
        }

        context.Log($"{users.Length} tokens fetched; opening {options.Rate:0.#} connections/s for {options.Duration.TotalSeconds:0.#} s, {options.Devices} per user");
        // Built before the window: only StartAsync and the wait for Ready are measured. A user's
        // devices are spread over the run and the gateways, as reconnecting people are.
        var clients = Enumerable.Range(0, total)
            .Select(i => BenchClient.Create(context, context.Gateway(i), users[i % users.Length], tokens[i % users.Length]))
            .ToArray();
        try
        {
            var latency = new LatencyHistogram();
            var bySecond = Enumerable.Range(0, (int)Math.Ceiling(options.Duration.TotalSeconds)).Select(_ => new LatencyHistogram()).ToArray();
            var errors = new ErrorCounter();
            // Scraped before the start is set: a slow scrape must not make the first arrivals late.
            var jitBefore = await JitMethodsAsync(context, cancellation);
            var start = BenchClock.NowMicros + 100_000;
            long lastReady = start;
            var meter = new CpuMeter(context.Processes);
            await BenchClock.WaitUntilAsync(start, cancellation);
            meter.Start();
            await ArrivalsAsync(start, total, options.Rate, ConnectOneAsync, cancellation);
            var connected = clients.Where(client => client.ReadyAtMicros > 0).ToArray();
            var cpu = meter.Stop(connected.Length, "connections");
            var jitAfter = await JitMethodsAsync(context, cancellation);
            var window = (lastReady - start) / 1_000_000.0;
            context.Log($"{connected.Length} of {total} connected; holding them {options.Hold.TotalSeconds:0.#} s");
            await Task.Delay(options.Hold, cancellation);
            var dropped = connected.Count(client => client.Dropped);
            return new ConnectResult(
                RunInfo.Of(context, Name, started), options, total, connected.Length, errors.Snapshot(), latency.Summarize(),
                options.Rate, window > 0 ? Math.Round(connected.Length / window, 1) : 0, connected.Length - dropped, dropped, cpu,
                [.. bySecond.Select(histogram => histogram.Summarize())], ReadySize.Of(connected.Select(client => client.ReadyBytes)))
            {
                JitMethodsDuringArrivals = jitAfter.Where(after => jitBefore.ContainsKey(after.Key))
                    .ToDictionary(after => after.Key, after => after.Value - jitBefore[after.Key]),
            };

            async Task ConnectOneAsync(int i, long intended)
            {
                try
                {
                    await ConnectHeedingRefusalsAsync(context, clients, i, tokens[i % users.Length], intended, errors, cancellation);
                    var client = clients[i];
                    latency.Record(client.ReadyAtMicros - intended);
                    bySecond[Math.Min(bySecond.Length - 1, (int)((intended - start) / 1_000_000))].Record(client.ReadyAtMicros - intended);
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

    /// <summary>
    /// Starts attempt i at <c>start + i / rate</c> (µs on <see cref="BenchClock"/>) whatever happened
    /// to the earlier ones, the open model, and waits for them all.
    /// </summary>
    private static async Task ArrivalsAsync(long start, int count, double rate, Func<int, long, Task> attempt, CancellationToken cancellation)
    {
        var intervalMicros = 1_000_000.0 / rate;
        var attempts = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var intended = start + (long)(i * intervalMicros);
            await BenchClock.WaitUntilAsync(intended, cancellation);
            attempts[i] = attempt(i, intended);
        }

        await Task.WhenAll(attempts);
    }

    /// <summary>
    /// Connects <c>clients[i]</c>. A gateway shedding connects answers try_again: the client waits as
    /// told (and a random share of a second) and tries again as a new client, within the connect
    /// timeout from <paramref name="intended"/>, its latency still running.
    /// </summary>
    private static async Task ConnectHeedingRefusalsAsync(BenchContext context, BenchClient[] clients, int i, string token, long intended, ErrorCounter errors, CancellationToken cancellation)
    {
        while (true)
        {
            try
            {
                await clients[i].ConnectAsync(context.ConnectTimeout, cancellation);
                return;
            }
            catch (ConnectRefusedException refused) when (refused is { Code: "try_again" } && refused.NextWait() is { } wait && BenchClock.NowMicros - intended < BenchClock.ToMicros(context.ConnectTimeout))
            {
                errors.Add("try_again (retried)");
                await clients[i].DisposeAsync();
                clients[i] = BenchClient.Create(context, clients[i].GatewayUrl, clients[i].UserId, token);
                await Task.Delay(wait, cancellation);
            }
        }
    }

    /// <summary>
    /// Arrivals as the measured ones make them (same rate, users, gateways), then all closed, and a
    /// wait until the gateways hold no connection: the measured connects then find the gateways'
    /// code compiled and tiered up, not their first seconds. Nothing here is measured; failures are
    /// logged, for a warm-up that fails says the cluster is not well.
    /// </summary>
    private static async Task WarmUpAsync(BenchContext context, ConnectOptions options, string[] users, string[] tokens, CancellationToken cancellation)
    {
        var count = Math.Max(1, (int)Math.Round(options.Rate * options.Warmup.TotalSeconds));
        context.Log($"warming up: {count} connections at {options.Rate:0.#}/s, closed again before the measured ones");
        var clients = Enumerable.Range(0, count)
            .Select(i => BenchClient.Create(context, context.Gateway(i), users[i % users.Length], tokens[i % users.Length]))
            .ToArray();
        var errors = new ErrorCounter();
        try
        {
            await ArrivalsAsync(BenchClock.NowMicros + 100_000, count, options.Rate, WarmOneAsync, cancellation);
        }
        finally
        {
            await ClientFleet.DisposeAllAsync(clients, context.SetupConcurrency);
        }

        var connected = clients.Count(client => client.ReadyAtMicros > 0);
        context.Log(errors.Total > 0 ? $"warm-up: {connected} of {count} connected; errors: {errors.Summary()}" : $"warm-up: {connected} of {count} connected");
        await GatewaysEmptyAsync(context, cancellation);

        async Task WarmOneAsync(int i, long intended)
        {
            try
            {
                await ConnectHeedingRefusalsAsync(context, clients, i, tokens[i % users.Length], intended, errors, cancellation);
            }
            catch (Exception ex) when (!cancellation.IsCancellationRequested)
            {
                errors.Add(ex);
            }
        }
    }

    /// <summary>
    /// Waits until no gateway counts an open connection (<c>cryb_gateway_connections</c> on each
    /// gateway's metrics), then a little longer for the presence grains to hear of the last
    /// closes: a user's warm-up connections still registered would count against the measured
    /// ones under the presence grain's cap of 5. Without gateway metrics, waits a fixed time.
    /// </summary>
    private static async Task GatewaysEmptyAsync(BenchContext context, CancellationToken cancellation)
    {
        var gateways = context.MetricsUrls.Where(pair => MonitoredProcess.IsGatewayName(pair.Key)).Select(pair => pair.Value).ToArray();
        if (gateways.Length == 0)
        {
            await Task.Delay(UncountedSettle, cancellation);
            return;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        double open;
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellation);
            var expositions = await Task.WhenAll(gateways.Select(url => http.GetStringAsync(url, cancellation)));
            if (expositions.Any(exposition => !exposition.Contains(OpenConnectionsMetric, StringComparison.Ordinal)))
            {
                // Not our gateways (a baseline's): no count to wait for.
                context.Log($"warm-up: a gateway's metrics have no {OpenConnectionsMetric}; waiting {UncountedSettle.TotalSeconds:0} s instead");
                await Task.Delay(UncountedSettle, cancellation);
                return;
            }

            open = expositions.Sum(exposition => PrometheusText.Sum(exposition, OpenConnectionsMetric));
        }
        while (open > 0 && DateTime.UtcNow < deadline);

        context.Log(open > 0 ? $"warm-up: gateways still count {open} open connections after 60 s; going on" : WarmupSettled);
        await Task.Delay(PresenceSettle, cancellation);
    }

    private const string OpenConnectionsMetric = "cryb_gateway_connections";

    /// <summary>After the gateways closed the last warm-up connection, for the presence grains to hear of it.</summary>
    private static readonly TimeSpan PresenceSettle = TimeSpan.FromSeconds(2);

    /// <summary>The wait instead, for gateways that do not count their connections.</summary>
    private static readonly TimeSpan UncountedSettle = TimeSpan.FromSeconds(10);

    /// <summary>Logged when the gateways counted no open connection after the warm-up.</summary>
    public const string WarmupSettled = "warm-up: gateways empty";

    /// <summary>Methods each .NET process with metrics has compiled so far, tier-ups included; processes that did not answer are left out.</summary>
    private static async Task<Dictionary<string, long>> JitMethodsAsync(BenchContext context, CancellationToken cancellation)
    {
        using var http = new HttpClient();
        return (await RuntimeMemory.ScrapeAllAsync(http, context.MetricsUrls, cancellation)).ToDictionary(pair => pair.Key, pair => pair.Value.JitMethods);
    }

    /// <summary>
    /// Owners create the channels and leave; each user connects once, joins its channels and
    /// leaves, so the measured connects find members with their channel lists stored, as people
    /// coming back do.
    /// </summary>
    private static async Task JoinChannelsAsync(BenchContext context, ConnectOptions options, IReadOnlyList<string> users, CancellationToken cancellation)
    {
        if (options.ChannelsPerUser == 0)
        {
            return;
        }

        var channelIds = await ClientFleet.CreateOwnedChannelsAsync(context, options.Channels, options.Messages, cancellation);
        var joins = users.Count * options.ChannelsPerUser;
        context.Log($"{options.Channels} channels created; {users.Count} users joining {options.ChannelsPerUser} each ({joins} joins)");
        var setup = System.Diagnostics.Stopwatch.StartNew();
        await using var members = new ClientFleet(context);
        var clients = await members.ConnectAsync(users, context.Gateway, cancellation);
        await members.JoinAsync(ClientFleet.SpreadMemberships(clients, 0, channelIds, options.ChannelsPerUser), cancellation);
        context.Log($"{joins} joins in {setup.Elapsed.TotalSeconds:0} s");
    }
}
