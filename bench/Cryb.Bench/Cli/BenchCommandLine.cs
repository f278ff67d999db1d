using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Cryb.Bench.Cli;

/// <summary>
/// The load tool's command line on System.CommandLine: one subcommand per scenario (from
/// <see cref="ScenarioCatalog"/>), <c>compare</c> and <c>readme</c>; help, typo hints and errors
/// that name the option come from the library.
/// </summary>
public static class BenchCommandLine
{
    public const int BadUsage = 2;
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

/// <summary>What the load tool and the fault suite do alike with System.CommandLine.</summary>
public static class CommandLines
{
    /// <summary>
    /// Arguments are taken as typed: no <c>@file</c> response files, which would turn a value
    /// starting with <c>@</c> into a file's contents.
    /// </summary>
    public static ParserConfiguration Parser { get; } = new() { ResponseFileTokenReplacer = null };

    /// <summary>
    /// Parses and runs. A command line that does not parse prints its errors (each names the option
    /// or word at fault) and exits with 2, not the library's 1, which both tools use for a failed run.
    /// </summary>
    public static async Task<int> InvokeAsync(RootCommand root, IReadOnlyList<string> args, TextWriter? output = null, TextWriter? error = null)
    {
        var parse = root.Parse(args, Parser);
        var invocation = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            // The tools cancel on Ctrl-C themselves and clean up (clients, cluster processes) as
            // long as that takes; the library's handler would end the process after 2 s.
            ProcessTerminationTimeout = null,
        };
        if (parse.Action is ParseErrorAction errors)
        {
            errors.ShowHelp = false;
            await parse.InvokeAsync(invocation);
            invocation.Error.WriteLine($"`{CommandPath(parse.CommandResult)}--help` lists the options.");
            return BenchCommandLine.BadUsage;
        }

        return await parse.InvokeAsync(invocation);
    }

    /// <summary>
    /// After every help text, <paramref name="notes"/> (exit codes and such, which the library has
    /// no section for). Returns the help action, for a command that prints help when run bare.
    /// </summary>
    public static SynchronousCommandLineAction AddHelpNotes(RootCommand root, string notes)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        var withNotes = new HelpWithNotes((HelpAction)help.Action!, notes);
        help.Action = withNotes;
        return withNotes;
    }

    /// <summary>The subcommands to <paramref name="command"/>, without the root, whose name is the host's under a test runner.</summary>
    private static string CommandPath(CommandResult command) =>
        command.Parent is CommandResult parent ? $"{CommandPath(parent)}{command.Command.Name} " : "";

    private sealed class HelpWithNotes(HelpAction help, string notes) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            help.Invoke(parseResult);
            parseResult.InvocationConfiguration.Output.Write(notes);
            return 0;
        }
    }
}
