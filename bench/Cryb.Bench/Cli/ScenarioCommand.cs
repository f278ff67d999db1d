using System.CommandLine;
using Cryb.Bench.Load;
using Cryb.Bench.Reporting;

namespace Cryb.Bench.Cli;

/// <summary>A scenario as the command line sees it: its name, its options, and how to run it.</summary>
public interface IScenarioCommand
{
    string Name { get; }

    string Summary { get; }

    /// <summary>Name, default and help of each option, scenario options first.</summary>
    IReadOnlyList<(string Name, string Default, string Help, bool IsFlag)> Options { get; }

    /// <summary>The subcommand that reads the options and runs the scenario.</summary>
    Command Command { get; }
}

/// <summary>An <see cref="IScenarioCommand"/> over a settings record and its option table.</summary>
public sealed class ScenarioCommand<TOptions>(
    string name, string summary, TOptions defaults, IReadOnlyList<OptionSpec<TOptions>> specs,
    Func<BenchContext, TOptions, CancellationToken, Task<ScenarioResult>> run) : IScenarioCommand
{
    private static readonly BenchContext DefaultContext = new();

    private readonly OptionTable<TOptions> _own = new(defaults, specs);
    private readonly OptionTable<BenchContext> _common = new(DefaultContext, CommonOptions.Specs);
    private Command? _command;

    public string Name { get; } = name;

    public string Summary { get; } = summary;

    public IReadOnlyList<(string Name, string Default, string Help, bool IsFlag)> Options { get; } =
    [
        .. specs.Select(spec => (spec.Name, spec.DefaultText(defaults), spec.Help, spec.IsFlag)),
        .. CommonOptions.Specs.Select(spec => (spec.Name, spec.DefaultText(DefaultContext), spec.Help, spec.IsFlag)),
    ];

    public Command Command => _command ??= CreateCommand();

    /// <summary>What a parsed command line of this scenario asks for; throws <see cref="UsageException"/> on a bad value.</summary>
    public (BenchContext Context, TOptions Options) Read(ParseResult parse) => (_common.Read(parse.CommandResult), _own.Read(parse.CommandResult));

    private Command CreateCommand()
    {
        var command = new Command(Name, Summary);
        _own.AddTo(command);
        _common.AddTo(command);
        command.Validators.Add(result =>
        {
            try
            {
                if (_common.Read(result).Contradiction() is { } contradiction)
                {
                    result.AddError(contradiction);
                }
            }
            catch (UsageException)
            {
                // A value its option cannot read: that option's own validator reports it.
            }
        });
        command.SetAction((parse, _) =>
        {
            var (context, options) = Read(parse);
            return RunAsync(context, cancellation => run(context, options, cancellation), BenchCommandLine.CommandLine(parse));
        });
        return command;
    }

    /// <summary>Runs the scenario, writes its results and returns the exit code the help text lists.</summary>
    private async Task<int> RunAsync(BenchContext context, Func<CancellationToken, Task<ScenarioResult>> start, string commandLine)
    {
        // Ctrl-C cancels the run and the scenario disposes its clients, however long that takes:
        // System.CommandLine's own handler would end the process 2 s after the signal.
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        var startedAt = DateTimeOffset.UtcNow;
        context.Log($"{Name} against {context.System.Label()} at {string.Join(", ", context.Gateways)} (run {context.RunId}, {context.Client.ToString().ToLowerInvariant()} client, open files limit {FileLimits.OpenFiles()})");
        ScenarioResult result;
        try
        {
            result = await start(cancellation.Token);
        }
        catch (Exception ex) when (ex is BenchSetupException or UsageException)
        {
            Console.Error.WriteLine(ex.Message);
            return ex is UsageException ? BenchCommandLine.BadUsage : BenchCommandLine.SetupFailed;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine("Cancelled; nothing written.");
            return BenchCommandLine.SetupFailed;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"The run failed: {ex}");
            return BenchCommandLine.SetupFailed;
        }

        result.CommandLine = commandLine;
        result.Invocation = Environment.GetEnvironmentVariable(ScenarioResult.InvocationVariable);
        var directory = context.OutputDirectory ?? ResultWriter.DefaultDirectory(Name, startedAt);
        var files = await ResultWriter.WriteAsync(result, directory);
        Console.WriteLine();
        Console.Write(ResultWriter.Summary(result));
        Console.WriteLine($"Written to {Path.GetFullPath(directory)} ({string.Join(", ", files)}).");
        return result.Passed ? 0 : 1;
    }
}
