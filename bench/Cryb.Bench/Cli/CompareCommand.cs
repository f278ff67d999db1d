using System.CommandLine;
using Cryb.Bench.Reporting;

namespace Cryb.Bench.Cli;

/// <summary>
/// <c>compare DIR DIR... [--out DIR]</c>: the results of one scenario against several systems, Cryb's
/// first, as one table with ratios. <c>./cryb bench &lt;scenario&gt; --compare ...</c> calls it
/// after running the scenario against each system.
/// </summary>
public static class CompareCommand
{
    public const string Name = "compare";

    public static Command Create()
    {
        var directories = new Argument<string[]>("result-dir")
        {
            Description = "result directories of one scenario, Cryb's first, then each baseline's",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out") { Description = "directory for result.json and summary.md [default: .cryb/bench/<utc time>-<scenario>-compare/]" };
        var command = new Command(Name, "results of one scenario against several systems as one table with ratios (./cryb bench --compare runs it)")
        {
            directories,
            output,
        };
        command.SetAction((parse, _) => RunAsync(parse.GetRequiredValue(directories), parse.GetValue(output), BenchCommandLine.CommandLine(parse)));
        return command;
    }

    private static async Task<int> RunAsync(IReadOnlyList<string> directories, string? output, string commandLine)
    {
        ComparisonResult comparison;
        try
        {
            var results = directories.Select(directory => ResultWriter.ReadMessageLoad(Path.Combine(directory, "result.json"))).ToArray();
            var command = Environment.GetEnvironmentVariable(ScenarioResult.InvocationVariable) ?? commandLine;
            comparison = ComparisonResult.Of(results, command, directories);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(ex.Message);
            return BenchCommandLine.BadUsage;
        }

        var directory = await ResultWriter.WriteAsync(comparison, output ?? ResultWriter.DefaultDirectory($"{comparison.Scenario}-compare", DateTimeOffset.UtcNow));
        Console.WriteLine();
        Console.Write(comparison.Summary());
        Console.WriteLine($"Written to {Path.GetFullPath(directory)} (result.json, summary.md).");
        return comparison.Passed ? 0 : 1;
    }
}
