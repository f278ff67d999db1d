using Cryb.Chaos;
using Cryb.Chaos.Faults;
using Cryb.Chaos.Reporting;
using Cryb.Testing;

// The fault suite: `./cryb chaos [--short] [--scenario NAME ...] [--out DIR]`. It starts its own
// cluster (PostgreSQL, Redis, silos and gateways as processes), injects each fault under load and
// prints what the checker saw. Exit code 1 when an asserted figure is not zero or a scenario did
// not run.
var settings = new ChaosSettings();
var names = new List<string>();
string? output = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--short":
            settings = ChaosSettings.ShortSuite(settings);
            break;
        case "--scenario" when i + 1 < args.Length:
            names.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries));
            break;
        case "--out" when i + 1 < args.Length:
            output = args[++i];
            break;
        case "--help" or "-h":
            Console.WriteLine("Usage: Cryb.Chaos [--short] [--scenario NAME[,NAME]]... [--out DIR]\n\nScenarios:");
            foreach (var fault in FaultCatalog.All)
            {
                Console.WriteLine($"  {fault.Name,-20}{(fault.InShortSuite ? "[short] " : "")}{fault.Description}");
            }

            return 0;
        default:
            Console.Error.WriteLine($"Unknown option {args[i]}; --help lists them.");
            return 2;
    }
}

var unknown = names.Where(name => FaultCatalog.Find(name) is null).ToArray();
if (unknown.Length > 0)
{
    Console.Error.WriteLine($"Unknown scenario {string.Join(", ", unknown)}. Scenarios: {string.Join(", ", FaultCatalog.All.Select(fault => fault.Name))}.");
    return 2;
}

var faults = names.Count > 0
    ? names.Select(name => FaultCatalog.Find(name)!).ToArray()
    : FaultCatalog.All.Where(fault => !settings.Short || fault.InShortSuite).ToArray();

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

var started = DateTime.UtcNow;
void Log(string line) => Console.WriteLine($"chaos [{(DateTime.UtcNow - started).TotalSeconds,6:F1} s] {line}");

var results = await new ChaosRun(settings, Log).RunAsync(faults, cancellation.Token);
var machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion.VersionString}";
var markdown = ResultTable.Markdown(results, machine);
Console.WriteLine();
Console.WriteLine(markdown);
var directory = output ?? Path.Combine(BuildOutput.RepositoryRoot, ".cryb", "chaos", started.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
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
