using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Cryb.Bench.Cli;

/// <summary>What the load tool and the fault suite do alike with System.CommandLine.</summary>
public static class CommandLines
{
    /// <summary>The exit code of a command line that does not parse or cannot run as given.</summary>
    public const int BadUsage = 2;

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
            return BadUsage;
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
