using Cryb.Bench;
using Cryb.Bench.Cli;
using Cryb.Bench.Load;
using Cryb.Bench.Reporting;

// The load tool of the chat cluster: `dotnet Cryb.Bench.dll <scenario> --gateways ...`, usually
// through `./cryb bench`. bench/README.md describes the scenarios and how to read their output.
if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
{
    Console.Write(ScenarioCatalog.Help());
    return args.Length == 0 ? 2 : 0;
}

switch (args[0])
{
    case CompareCommand.Name:
        return await CompareCommand.RunAsync(args[1..]);
    case ReadmeCommand.Name:
        return await ReadmeCommand.RunAsync(args[1..]);
}

var scenario = ScenarioCatalog.Find(args[0]);
if (scenario is null)
{
    Console.Error.WriteLine($"Unknown scenario '{args[0]}'. Scenarios: {string.Join(", ", ScenarioCatalog.All.Select(s => s.Name))}.");
    return 2;
}

if (args.Skip(1).Any(arg => arg is "--help" or "-h"))
{
    Console.Write(ScenarioCatalog.Help(scenario));
    return 0;
}

BenchContext context;
Func<BenchContext, CancellationToken, Task<ScenarioResult>> run;
try
{
    (context, run) = scenario.Parse(args[1..]);
}
catch (UsageException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

var startedAt = DateTimeOffset.UtcNow;
context.Log($"{scenario.Name} against {context.System.Label()} at {string.Join(", ", context.Gateways)} (run {context.RunId}, {context.Client.ToString().ToLowerInvariant()} client, open files limit {FileLimits.OpenFiles()})");
ScenarioResult result;
try
{
    result = await run(context, cancellation.Token);
}
catch (Exception ex) when (ex is BenchSetupException or UsageException)
{
    Console.Error.WriteLine(ex.Message);
    return ex is UsageException ? 2 : 3;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled; nothing written.");
    return 3;
}
catch (Exception ex)
{
    Console.Error.WriteLine($"The run failed: {ex}");
    return 3;
}

result.CommandLine = "dotnet Cryb.Bench.dll " + string.Join(" ", args);
result.Invocation = Environment.GetEnvironmentVariable(ScenarioResult.InvocationVariable);
var directory = await ResultWriter.WriteAsync(result, context.OutputDirectory ?? ResultWriter.DefaultDirectory(scenario.Name, startedAt));
Console.WriteLine();
Console.Write(ResultWriter.Summary(result));
Console.WriteLine($"Written to {Path.GetFullPath(directory)} (result.json, summary.md, {string.Join(", ", result.Plots().Select(plot => plot.FileName))}).");
return result.Passed ? 0 : 1;
