using Cryb.Bench.Scenarios;

namespace Cryb.Bench.Cli;

/// <summary>Every scenario the command line knows.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<IScenarioCommand> All { get; } =
    [
        new ScenarioCommand<FanoutOptions>(FanoutScenario.Name,
            "N clients in K channels, S senders at R msg/s each (open model): rates, end-to-end and ack latency, lost/duplicated/reordered messages",
            new FanoutOptions(), FanoutScenario.Specs, async (c, o, t) => await FanoutScenario.RunAsync(c, o, t)),
        new ScenarioCommand<RampOptions>(RampScenario.Name,
            "the fanout shape with the per-sender rate stepped up until p99 passes a bound, loss or errors appear, or sends fall behind",
            new RampOptions(), RampScenario.Specs, async (c, o, t) => await RampScenario.RunAsync(c, o, t)),
        new ScenarioCommand<ConnectOptions>(ConnectScenario.Name,
            "connections arriving at a fixed rate, each a distinct user: connect-to-Ready latency, connections/s, errors",
            new ConnectOptions(), ConnectScenario.Specs, async (c, o, t) => await ConnectScenario.RunAsync(c, o, t)),
        new ScenarioCommand<IdleOptions>(IdleScenario.Name,
            "idle connections on the first gateway in steps: resident memory per connection of gateways and silos",
            new IdleOptions(), IdleScenario.Specs, async (c, o, t) => await IdleScenario.RunAsync(c, o, t)),
        new ScenarioCommand<StormOptions>(StormScenario.Name,
            "a reconnect storm: the first gateway, holding every receiver, is killed under load; the clients come back to the second with backoff and resume: kill-to-Ready and kill-to-resumed, refusals, nothing lost",
            new StormOptions(), StormScenario.Specs, async (c, o, t) => await StormScenario.RunAsync(c, o, t)),
        new ScenarioCommand<SoakOptions>(SoakScenario.Name,
            "the fanout shape at half the ramp's best rate for a long time (30 min) while receivers leave and catch up: RSS and CPU over time, leaks, errors",
            new SoakOptions(), SoakScenario.Specs, async (c, o, t) => await SoakScenario.RunAsync(c, o, t)),
        new ScenarioCommand<HotChannelOptions>(HotChannelScenario.Name,
            "many senders into ONE channel (open model): persisted sends/s of one channel, ack latency, correctness",
            new HotChannelOptions(), HotChannelScenario.Specs, async (c, o, t) => await HotChannelScenario.RunAsync(c, o, t)),
        new ScenarioCommand<GuildsOptions>(GuildsScenario.Name,
            "a server of 100,000 members seeded through the backend-service bulk path: p99 of a join with an invite (and the rows it writes), members/s of the whole member list in chunks",
            new GuildsOptions(), GuildsScenario.Specs, async (c, o, t) => await GuildsScenario.RunAsync(c, o, t)),
        new ScenarioCommand<VoiceOptions>(VoiceScenario.Name,
            "1,000 members of one server joining, leaving, moving between and muting in its voice channels at 200 calls/s (open model): call latency, VoiceStateUpdated latency to the members (target p99 < 100 ms), lost or out-of-order events",
            new VoiceOptions(), VoiceScenario.Specs, async (c, o, t) => await VoiceScenario.RunAsync(c, o, t)),
        new ScenarioCommand<FriendsOptions>(FriendsScenario.Name,
            "1,000 users with 20 friends each (5 % blocking one), sharing nothing else, changing presence at 100 changes/s (open model): PresenceUpdated latency to every friend, nothing lost, nothing to blocked users or non-friends; friend requests and accepts per second",
            new FriendsOptions(), FriendsScenario.Specs, async (c, o, t) => await FriendsScenario.RunAsync(c, o, t)),
        new ScenarioCommand<NotificationsOptions>(NotificationsScenario.Name,
            "a server of 1,000 connected members: plain sends alone (phase A), beside plain messages at 10/s into its channel (phase C), beside @everyone at 10/s into it (phase B), in 4 rounds of A, C, B segments (every other one mirrored): plain throughput B/C (target >= 0.8) and B/A, NotificationCreated latency to every member, nothing lost or twice, none for plain messages, notification rows/s",
            new NotificationsOptions(), NotificationsScenario.Specs, async (c, o, t) => await NotificationsScenario.RunAsync(c, o, t)),
    ];

    public static IScenarioCommand? Find(string name) => All.FirstOrDefault(scenario => scenario.Name == name);
}
