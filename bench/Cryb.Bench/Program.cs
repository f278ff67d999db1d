using Cryb.Bench.Cli;

// The load tool of the chat cluster: `dotnet Cryb.Bench.dll <scenario> --gateways ...`, usually
// through `./cryb bench`. bench/README.md describes the scenarios and how to read their output;
// Cli/BenchCommandLine.cs holds the command line, Cli/ScenarioCatalog.cs the scenarios.
return await BenchCommandLine.InvokeAsync(args);
