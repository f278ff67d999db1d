using Cryb.Bench.Cli;
using Cryb.Chaos;
using Cryb.Chaos.Reporting;
using Cryb.Testing;

// The fault suite: `./cryb chaos [--short] [--scenario NAME ...] [--out DIR]`. It starts its own
// cluster (PostgreSQL, Redis, silos and gateways as processes), injects each fault under load and
// prints what the checker saw. Exit code 1 when an asserted figure is not zero or a scenario did
// not run.
return await CommandLines.InvokeAsync(ChaosCommandLine.Create(RunAsync), args);

static async Task<int> RunAsync(ChaosSettings settings)
{
    using var cancellation = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancellation.Cancel();
    };

    var started = DateTime.UtcNow;
    void Log(string line) => Console.WriteLine($"chaos [{(DateTime.UtcNow - started).TotalSeconds,6:F1} s] {line}");

    var results = await new ChaosRun(settings, Log).RunAsync(settings.Faults(), cancellation.Token);
    var machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion.VersionString}";
    var markdown = ResultTable.Markdown(results, machine);
    Console.WriteLine();
    Console.WriteLine(markdown);
    var directory = settings.Output ?? Path.Combine(BuildOutput.RepositoryRoot, ".cryb", "chaos", started.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
    await ResultTable.WriteAsync(directory, results, markdown);
    Console.WriteLine($"Written to {directory}/result.md and result.json.");
    var notRun = results.Where(result => !result.Ran).Select(result => result.Name).ToArray();
    var failed = results.Where(result => result.Ran && !result.Passed).Select(result => result.Name).ToArray();
    if (notRun.Length > 0)
    {
        Console.Error.WriteLine($"NOT RUN: {string.Join(", ", notRun)} (the fault did not happen as written, or the cluster did not recover before it).");
    }

    if (failed.Length > 0)
    {
        Console.Error.WriteLine($"FAILED: {string.Join(", ", failed)} (an asserted figure is not zero).");
    }

    return ResultTable.ExitCode(results);
}
