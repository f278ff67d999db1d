using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Load.Clients;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;

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
                attempts[i] = ConnectOneAsync(i, intended);
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
                options.Rate, window > 0 ? Math.Round(connected.Length / window, 1) : 0, connected.Length - dropped, dropped, cpu,
                [.. bySecond.Select(histogram => histogram.Summarize())], ReadySize.Of(connected.Select(client => client.ReadyBytes)));

            async Task ConnectOneAsync(int i, long intended)
            {
                try
                {
                    // A gateway shedding connects answers try_again: the client waits as told
                    // (and a random share of a second) and tries again, its latency still running.
                    while (true)
                    {
                        try
                        {
                            await clients[i].ConnectAsync(context.ConnectTimeout, cancellation);
                            break;
                        }
                        catch (ConnectRefusedException refused) when (refused is { Code: "try_again" } && refused.NextWait() is { } wait && BenchClock.NowMicros - intended < BenchClock.ToMicros(context.ConnectTimeout))
                        {
                            errors.Add("try_again (retried)");
                            await clients[i].DisposeAsync();
                            clients[i] = BenchClient.Create(context, clients[i].GatewayUrl, users[i % users.Length], tokens[i % users.Length]);
                            await Task.Delay(wait, cancellation);
                        }
                    }

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
