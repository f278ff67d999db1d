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

    public const string Usage = "Usage: dotnet Cryb.Bench.dll compare <cryb result dir> <baseline result dir>... [--out DIR]";

    public static async Task<int> RunAsync(IReadOnlyList<string> arguments)
    {
        var directories = new List<string>();
        string? output = null;
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] == "--out" && i + 1 < arguments.Count)
            {
                output = arguments[++i];
            }
            else if (arguments[i].StartsWith("--", StringComparison.Ordinal))
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }
            else
            {
                directories.Add(arguments[i]);
            }
        }

        if (directories.Count == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        ComparisonResult comparison;
        try
        {
            var results = directories.Select(directory => ResultWriter.ReadMessageLoad(Path.Combine(directory, "result.json"))).ToArray();
            var command = Environment.GetEnvironmentVariable(ScenarioResult.InvocationVariable)
                ?? "dotnet Cryb.Bench.dll compare " + string.Join(" ", arguments);
            comparison = ComparisonResult.Of(results, command, directories);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }

        var directory = await ResultWriter.WriteAsync(comparison, output ?? ResultWriter.DefaultDirectory($"{comparison.Scenario}-compare", DateTimeOffset.UtcNow));
        Console.WriteLine();
        Console.Write(comparison.Summary());
        Console.WriteLine($"Written to {Path.GetFullPath(directory)} (result.json, summary.md).");
        return comparison.Passed ? 0 : 1;
    }
}
