using System.Diagnostics;
using System.Globalization;
using Cryb.Testing;

namespace Cryb.Cluster;

/// <summary>
/// `./cryb bench`: the developer cluster with the <see cref="ClusterProfile.Bench"/> profile, the
/// load tool (bench/Cryb.Bench) run against it, and with <c>--compare</c> the same scenario against
/// a baseline on the same PostgreSQL and Redis once Cryb's silos and gateways have stopped.
/// </summary>
public sealed class BenchCommand(LocalCluster cluster, string scenario, IReadOnlyList<string> pass, StopSignal stop)
{
    /// <param name="arguments"><c>[--compare socketio|signalr] [--out DIR] SCENARIO [load tool options]</c>, as the script passes them.</param>
    public static async Task<int> RunAsync(DeveloperCluster developer, StopSignal stop, IReadOnlyList<string> arguments)
    {
        var (compare, output, scenario, pass) = Parse(arguments);
        LocalCluster cluster;
        try
        {
            // On an empty database each time, so that no run measures on what earlier runs left.
            cluster = await developer.StartAsync(ClusterProfile.Bench, stop.Token, freshPostgres: true);
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            return 130;
        }

        await using (cluster)
        {
            var bench = new BenchCommand(cluster, scenario, pass, stop);
            try
            {
                return compare is null
                    ? await bench.RunLoadAsync(cluster.Gateways, [], output)
                    : await bench.CompareAsync(compare, output!);
            }
            finally
            {
                Say.Line("stopping");
                await cluster.StopAsync(Say.Line);
                Say.Line("stopped");
            }
        }
    }

    private async Task<int> CompareAsync(string compare, string output)
    {
        var status = await RunLoadAsync(cluster.Gateways, ["--system", "cryb"], Path.Combine(output, "cryb"), "Cryb ");
        if (status > 1)
        {
            throw new ClusterToolException($"the run against Cryb failed (exit code {status}); the baseline was not run");
        }

        // The baseline runs alone: Cryb's processes stop, and a checkpoint now keeps the one Cryb's
        // writes would otherwise bring from falling into the baseline's window.
        Say.Line("stopping Cryb's silos and gateways");
        await cluster.StopHostsAsync(Say.Line);
        if (cluster.Postgres is not null)
        {
            await Shell.RunAsync("psql", "-h", "127.0.0.1", "-p", cluster.Postgres.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", PostgresServer.Database, "-qc", "CHECKPOINT");
        }

        var baseline = compare == "socketio" ? SocketIo() : Reference();
        int baselineStatus;
        try
        {
            foreach (var process in baseline)
            {
                process.Start();
            }

            await Task.WhenAll(baseline.Select(process => process.WaitReadyAsync(LocalCluster.ReadyTimeout, stop.Token)));
            baselineStatus = await RunLoadAsync(baseline, ["--system", compare], Path.Combine(output, compare), $"the {compare} baseline ");
        }
        finally
        {
            foreach (var process in baseline)
            {
                await process.StopAsync(TimeSpan.FromSeconds(10));
                await process.DisposeAsync();
            }
        }

        if (baselineStatus > 1)
        {
            throw new ClusterToolException($"the run against the {compare} baseline failed (exit code {baselineStatus})");
        }

        return await RunBenchToolAsync(["compare", Path.Combine(output, "cryb"), Path.Combine(output, compare), "--out", output]) == 0 ? status : 1;
    }

    /// <summary>
    /// The load tool against <paramref name="targets"/>, measuring every process that serves the run:
    /// the targets, Cryb's hosts while they run (with their <c>/metrics</c>), the private PostgreSQL and Redis.
    /// </summary>
    private Task<int> RunLoadAsync(IReadOnlyList<ClusterProcess> targets, IReadOnlyList<string> system, string? output, string label = "")
    {
        var urls = string.Join(',', targets.Select(target => target.Url));
        Say.Line(label.Length == 0 ? $"running the {scenario} scenario against {urls}" : $"running the {scenario} scenario against {label}({urls})");
        List<string> arguments = [scenario, .. system, "--gateways", urls];
        foreach (var process in cluster.Hosts.Where(process => process.IsRunning))
        {
            arguments.AddRange(["--process", $"{process.Name}={process.ProcessId}", "--metrics", $"{process.Name}={process.Url}/metrics"]);
        }

        foreach (var process in targets.Except(cluster.Hosts))
        {
            arguments.AddRange(["--process", $"{process.Name}={process.ProcessId}"]);
        }

        if (cluster.Postgres is not null)
        {
            arguments.AddRange(["--process", $"postgres={cluster.Postgres.PostmasterId}"]);
        }

        if (cluster.Redis is not null)
        {
            arguments.AddRange(["--process", $"redis={cluster.Redis.ProcessId}"]);
        }

        if (output is not null)
        {
            arguments.AddRange(["--out", output]);
        }

        return RunBenchToolAsync([.. arguments, .. pass]);
    }

    /// <summary>The load tool in the foreground; a stop signal reaches it too (it shares the terminal), and is passed on if it came from elsewhere.</summary>
    private async Task<int> RunBenchToolAsync(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = BuildOutput.RepositoryRoot };
        start.ArgumentList.Add(Path.Combine(BuildOutput.Of("bench/Cryb.Bench"), "Cryb.Bench.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The bench profile's importer account (the guilds scenario seeds members through it) and
        // the database for its read-only checks; the environment keeps the secret out of the
        // command line the tool records. A baseline's run gets them too and ignores them.
        foreach (var (name, value) in BackendAccess.Of(cluster, ClusterProfile.BenchImporter).ToEnvironment())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        await using var forward = stop.Token.Register(() => Shell.Signal(process.Id, 2));
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    /// <summary>The Socket.IO baseline (bench/socketio): two Node processes on the cluster's PostgreSQL and Redis, with its signing key.</summary>
    private ClusterProcess[] SocketIo()
    {
        var postgres = DeveloperCluster.Optional("CRYB_SOCKETIO_POSTGRES")
            ?? (cluster.Postgres is null
                ? throw new ClusterToolException("with CRYB_POSTGRES, set CRYB_SOCKETIO_POSTGRES to the same database as a postgres:// URL")
                : $"postgres://postgres@127.0.0.1:{cluster.Postgres.Port}/{PostgresServer.Database}");
        var first = DeveloperCluster.Number("CRYB_SOCKETIO_PORT");
        return [.. Enumerable.Range(1, 2).Select(i =>
        {
            var port = first + i - 1;
            DeveloperCluster.RequireFreePort(port, $"socketio-{i}", "CRYB_SOCKETIO_PORT");
            return new ClusterProcess($"socketio-{i}", Path.Combine(BuildOutput.RepositoryRoot, "bench", "socketio"), ["node", "server.js"], port,
                new Dictionary<string, string>
                {
                    ["SOCKETIO_NAME"] = $"socketio-{i}",
                    ["SOCKETIO_PORT"] = port.ToString(CultureInfo.InvariantCulture),
                    ["SOCKETIO_POSTGRES"] = postgres,
                    ["SOCKETIO_REDIS"] = $"redis://{cluster.Environment.Redis}",
                    ["SOCKETIO_SIGNING_KEY"] = cluster.Environment.SigningKey,
                },
                cluster.Logs);
        })];
    }

    /// <summary>The reference hub (bench/Cryb.Bench.Reference): one process, nothing stored.</summary>
    private ClusterProcess[] Reference()
    {
        var port = DeveloperCluster.Number("CRYB_REFERENCE_PORT");
        DeveloperCluster.RequireFreePort(port, "reference", "CRYB_REFERENCE_PORT");
        var environment = cluster.Environment.Shared();
        environment["Auth__SigningKey"] = cluster.Environment.SigningKey;
        return [ClusterProcess.Host("reference", "bench/Cryb.Bench.Reference", "Cryb.Bench.Reference.dll", port, environment, cluster.Logs)];
    }

    private static (string? Compare, string? Output, string Scenario, string[] Pass) Parse(IReadOnlyList<string> arguments)
    {
        string? compare = null;
        string? output = null;
        var i = 0;
        for (; i + 1 < arguments.Count && arguments[i] is "--compare" or "--out"; i += 2)
        {
            if (arguments[i] == "--compare")
            {
                compare = arguments[i + 1];
            }
            else
            {
                output = arguments[i + 1];
            }
        }

        return i < arguments.Count
            ? (compare, output, arguments[i], [.. arguments.Skip(i + 1)])
            : throw new ClusterToolException("bench needs a scenario");
    }
}
