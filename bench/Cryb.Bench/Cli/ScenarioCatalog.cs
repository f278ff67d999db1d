using System.Text;
using Cryb.Bench.Reporting;
using Cryb.Bench.Scenarios;

namespace Cryb.Bench.Cli;

/// <summary>Every scenario the command line knows, and the help text made from their option tables.</summary>
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
    ];

    public static IScenarioCommand? Find(string name) => All.FirstOrDefault(scenario => scenario.Name == name);

    /// <summary>Usage, every scenario, and the options of <paramref name="only"/> or of all of them.</summary>
    public static string Help(IScenarioCommand? only = null)
    {
        var text = new StringBuilder();
        text.AppendLine("Usage: dotnet Cryb.Bench.dll <scenario> --gateways URL[,URL...] [--process name=pid ...] [--out DIR] [options]")
            .AppendLine("       ./cryb bench <scenario> [options]   (starts a cluster, or --url URL[,URL] for a running one)")
            .AppendLine();
        if (only is null)
        {
            text.AppendLine("Scenarios:");
            foreach (var scenario in All)
            {
                text.AppendLine($"  {scenario.Name,-12} {scenario.Summary}");
            }

            text.AppendLine()
                .AppendLine("Commands:")
                .AppendLine($"  {CompareCommand.Name,-12} results of one scenario against several systems as one table with ratios (./cryb bench --compare runs it)")
                .AppendLine($"  {"",-12} {CompareCommand.Usage}")
                .AppendLine($"  {ReadmeCommand.Name,-12} rewrite README.md's bench blocks from docs/bench/NAME/result.json (--check: only compare)")
                .AppendLine($"  {"",-12} {ReadmeCommand.Usage}")
                .AppendLine();
        }

        var common = CommonOptions.Specs.Select(spec => spec.Name).ToHashSet();
        foreach (var scenario in only is null ? All : [only])
        {
            text.AppendLine($"{scenario.Name} options (default in brackets):");
            foreach (var option in scenario.Options.Where(option => !common.Contains(option.Name)))
            {
                AppendOption(text, option);
            }

            text.AppendLine();
        }

        text.AppendLine("Options of every scenario:");
        foreach (var option in All[0].Options.Where(option => common.Contains(option.Name)))
        {
            AppendOption(text, option);
        }

        text.AppendLine()
            .AppendLine("Writes result.json, summary.md and plot.svg to --out and prints the summary. Exit code: 0 passed,")
            .AppendLine("1 correctness failed (a delivery missing or a send unacknowledged after the drain, duplicated or reordered")
            .AppendLine("messages, dropped connections; for soak also a failed rejoin or resident memory growing past --rss-limit),")
            .AppendLine("2 bad usage, 3 setup failed.")
            .AppendLine("Many connections need many file descriptors: raise `ulimit -n` (./cryb bench sets 65536).");
        return text.ToString();
    }

    private static void AppendOption(StringBuilder text, (string Name, string Default, string Help, bool IsFlag) option)
    {
        var name = option.IsFlag ? $"--{option.Name}" : $"--{option.Name} <value>";
        var fallback = option.Default.Length > 0 ? $" [{option.Default}]" : "";
        text.AppendLine($"  {name,-30} {option.Help}{fallback}");
    }
}
