using System.CommandLine;
using System.Globalization;
using Cryb.Bench.Cli;
using Cryb.Chaos.Faults;

namespace Cryb.Chaos;

/// <summary>The fault suite's command line, <c>[--short] [--scenario NAME[,NAME]]... [--out DIR]</c>, on System.CommandLine.</summary>
public static class ChaosCommandLine
{
    /// <summary>The suite's command; its action hands the settings read to <paramref name="run"/>.</summary>
    public static RootCommand Create(Func<ChaosSettings, Task<int>> run)
    {
        var shortSuite = new Option<bool>("--short")
        {
            Description = $"the run in ./cryb test: the {FaultCatalog.All.Count(fault => fault.InShortSuite)} faults marked [short], shorter phases, fewer clients",
        };
        var scenarios = new Option<string[]>("--scenario")
        {
            Description = "run only these scenarios, in this order (comma-separated, or repeat the option)",
            HelpName = "NAME[,NAME]",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        scenarios.Validators.Add(result =>
        {
            var unknown = Names(result.Tokens.Select(token => token.Value)).Where(name => FaultCatalog.Find(name) is null).ToArray();
            if (unknown.Length > 0)
            {
                result.AddError($"Unknown scenario {string.Join(", ", unknown)}. Scenarios: {string.Join(", ", FaultCatalog.All.Select(fault => fault.Name))}.");
            }
        });
        var output = new Option<string>("--out") { Description = "directory for result.md and result.json [default: .cryb/chaos/<utc time>/]", HelpName = "DIR" };
        var root = new RootCommand(
            "The fault suite: starts its own cluster (PostgreSQL, Redis, silos and gateways as processes), injects each " +
            "fault under load and prints what the checker saw.")
        {
            shortSuite,
            scenarios,
            output,
        };
        CommandLines.AddHelpNotes(root, Notes());
        root.SetAction((parse, _) =>
        {
            var settings = new ChaosSettings { Scenarios = Names(parse.GetValue(scenarios) ?? []), Output = parse.GetValue(output) };
            return run(parse.GetValue(shortSuite) ? ChaosSettings.ShortSuite(settings) : settings);
        });
        return root;
    }

    /// <summary>Every <c>--scenario</c> value split at its commas.</summary>
    private static string[] Names(IEnumerable<string> values) =>
        [.. values.SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    private static string Notes()
    {
        var notes = new System.Text.StringBuilder("Scenarios:\n");
        foreach (var fault in FaultCatalog.All)
        {
            notes.AppendLine(CultureInfo.InvariantCulture, $"  {fault.Name,-20}{(fault.InShortSuite ? "[short] " : "")}{fault.Description}");
        }

        return notes.AppendLine()
            .AppendLine("Exit code: 0 every scenario ran and every asserted figure is zero; 1 a figure is not zero or a scenario")
            .AppendLine("did not run; 2 bad usage.")
            .AppendLine()
            .ToString();
    }
}
