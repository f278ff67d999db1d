using System.CommandLine;

namespace Cryb.Bench.Cli;

/// <summary>
/// The load tool's command line on System.CommandLine: one subcommand per scenario (from
/// <see cref="ScenarioCatalog"/>), <c>compare</c> and <c>readme</c>; help, typo hints and errors
/// that name the option come from the library.
/// </summary>
public static class BenchCommandLine
{
    public const int BadUsage = CommandLines.BadUsage;
    public const int SetupFailed = 3;

    public const string Notes = """
        Exit code: 0 passed, 1 correctness failed (a delivery missing or a send unacknowledged after the drain,
        duplicated or reordered messages, dropped connections; for soak also a failed rejoin or resident memory
        growing past --rss-limit), 2 bad usage, 3 setup failed or cancelled.
        Many connections need many file descriptors: raise `ulimit -n` (./cryb bench sets 65536).

        """;

    /// <summary>The whole command line: every scenario, <c>compare</c> and <c>readme</c>.</summary>
    public static RootCommand Root { get; } = Create();

    /// <summary>The command a result records: the tool's, with the arguments as parsed.</summary>
    public static string CommandLine(ParseResult parse) => "dotnet Cryb.Bench.dll " + string.Join(" ", parse.Tokens.Select(token => token.Value));

    private static RootCommand Create()
    {
        var root = new RootCommand(
            "The load tool of the chat cluster: a scenario against running gateways, results written to --out " +
            "(result.json, summary.md, plot.svg, plot.png). ./cryb bench <scenario> [options] starts a cluster " +
            "first, or takes --url URL[,URL] for a running one. bench/README.md explains scenarios and output.");
        foreach (var scenario in ScenarioCatalog.All)
        {
            root.Subcommands.Add(scenario.Command);
        }

        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(ReadmeCommand.Create());
        var help = CommandLines.AddHelpNotes(root, Notes);
        // Without a scenario: the help, and the exit code of a bad command line.
        root.SetAction(parse =>
        {
            help.Invoke(parse);
            return BadUsage;
        });
        return root;
    }

    /// <summary>Runs the command line; <c>help</c> alone is <c>--help</c>, as it always was.</summary>
    public static Task<int> InvokeAsync(IReadOnlyList<string> args, TextWriter? output = null, TextWriter? error = null) =>
        CommandLines.InvokeAsync(Root, args is ["help"] ? ["--help"] : args, output, error);
}
