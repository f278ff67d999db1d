using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Measurement;
using Cryb.Bench.Reporting;

namespace Cryb.Bench.Scenarios;

/// <summary>
/// The parameters of <c>idle</c>; the defaults are the target's: 50,000 connections on one
/// gateway, each a member of 3 channels (of 1,000: 150 members to a channel).
/// </summary>
public sealed record IdleOptions
{
    public IReadOnlyList<int> Steps { get; init; } = [0, 10000, 25000, 50000];
    public int Channels { get; init; } = 1000;
    public int ChannelsPerUser { get; init; } = 3;
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Idle connections held on the FIRST gateway, added in steps, each user a member of a few shared
/// channels. After each step and a settle time it reads every monitored process's resident memory;
/// memory per connection is the least-squares slope over the steps, for the gateways and for the
/// silos. Every connection must still be open at the end.
/// </summary>
public static class IdleScenario
{
    public const string Name = "idle";

    public static IReadOnlyList<OptionSpec<IdleOptions>> Specs { get; } =
    [
        new("steps", "connection counts to hold, in increasing order (the first may be 0: the baseline)", o => o.Steps, (o, v) => o with { Steps = v.IntList() }),
        new("channels", "channels shared by the users (created by owners who then disconnect)", o => o.Channels, (o, v) => o with { Channels = v.Int(min: 1) }),
        new("channels-per-user", "channels each user joins: user u joins channels u*n .. u*n+n-1 (mod --channels)", o => o.ChannelsPerUser, (o, v) => o with { ChannelsPerUser = v.Int() }),
        new("settle", "seconds to wait after each step before reading memory (CPU is measured over it)", o => o.Settle, (o, v) => o with { Settle = v.Seconds() }),
    ];

    public static async Task<IdleResult> RunAsync(BenchContext context, IdleOptions options, CancellationToken cancellation)
    {
        if (options.ChannelsPerUser > options.Channels)
        {
            throw new UsageException($"--channels-per-user ({options.ChannelsPerUser}) cannot exceed --channels ({options.Channels}).");
        }

        if (options.Steps.Zip(options.Steps.Skip(1)).Any(pair => pair.Second < pair.First))
        {
            throw new UsageException("--steps must not decrease: connections are only added.");
        }

        FileLimits.RequireRoomFor(options.Steps.Max(), "--steps");
        var started = DateTimeOffset.UtcNow;
        var gateway = context.Gateways[0];
        var channelIds = await ClientFleet.CreateOwnedChannelsAsync(context, options.Channels, messagesEach: 0, cancellation);

        await using var fleet = new ClientFleet(context);
        var sampler = new ResourceSampler(context.Processes, context.MetricsUrls);
        var steps = new List<IdleStep>();
        foreach (var target in options.Steps)
        {
            var from = fleet.Clients.Count;
            if (target > from)
            {
                context.Log($"adding {target - from} idle connections to {gateway}");
                var added = await fleet.ConnectAsync(Enumerable.Range(from, target - from).Select(i => context.UserId("idle", i)).ToArray(), _ => gateway, cancellation);
                await fleet.JoinAsync(ClientFleet.SpreadMemberships(added, from, channelIds, options.ChannelsPerUser), cancellation);
            }

            var meter = CpuMeter.StartNew(context.Processes);
            await Task.Delay(options.Settle, cancellation);
            var cpu = meter.Stop(0, "deliveries");
            var step = IdleStep.Read(fleet.Clients.Count, context.Processes, cpu) with { Memory = await sampler.SampleAsync(cancellation) };
            steps.Add(step);
            context.Log($"{step.Connections} connections: gateways {step.GatewaysKb / 1024.0:0.0} MB, silos {step.SilosKb / 1024.0:0.0} MB");
        }

        var dropped = fleet.Clients.Count(client => client.Dropped);
        return new IdleResult(RunInfo.Of(context, Name, started), options, steps, IdleSlopes.Of(steps, context.Processes), fleet.Clients.Count - dropped, dropped);
    }
}
