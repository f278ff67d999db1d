using Cryb.Testing;

namespace Cryb.Cluster;

/// <summary>
/// `./cryb up`: the developer cluster (<see cref="ClusterProfile.Up"/>) in the foreground, where
/// everything is listed; Ctrl-C stops it in order, and so does any silo or gateway exiting on its own.
/// </summary>
public static class UpCommand
{
    public static async Task<int> RunAsync(DeveloperCluster developer, StopSignal stop)
    {
        LocalCluster cluster;
        try
        {
            cluster = await developer.StartAsync(ClusterProfile.Up, stop.Token);
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            Say.Line("stopped before the cluster was ready");
            return 130;
        }

        await using (cluster)
        {
            PrintAddresses(cluster);
            Say.Line("ready. Ctrl-C stops everything.");

            var exited = await Task.WhenAny(cluster.Hosts.Select(async process =>
            {
                await process.ExitedAsync(stop.Token);
                return process;
            }));
            ClusterProcess? died = exited.IsCompletedSuccessfully ? exited.Result : null;
            if (died is not null)
            {
                Console.Error.WriteLine(died.LogTail(20));
            }

            Say.Line("stopping");
            await cluster.StopAsync(Say.Line);
            Say.Line("stopped");
            return died is null ? 0 : throw new ClusterToolException($"{died.Name} exited on its own; see {Path.Combine(cluster.Logs, died.Name + ".log")}");
        }
    }

    private static void PrintAddresses(LocalCluster cluster)
    {
        Console.WriteLine();
        foreach (var (gateway, i) in cluster.Gateways.Select((gateway, i) => (gateway, i)))
        {
            Console.WriteLine($"  gateway {i + 1}   {gateway.Url}   hub {gateway.Url}/hubs/chat   dev tokens: POST {gateway.Url}/auth/dev-token");
        }

        Console.WriteLine($"  web client  {cluster.Gateways[0].Url}/   (every gateway serves it: open two windows, sign in as two users)");
        foreach (var (silo, i) in cluster.Silos.Select((silo, i) => (silo, i)))
        {
            Console.WriteLine($"  silo {i + 1}      {silo.Url}   dashboard {silo.Url}/dashboard/   health {silo.Url}/health/ready");
        }

        Console.WriteLine($"  PostgreSQL  {cluster.Environment.Postgres}");
        Console.WriteLine($"  Redis       {cluster.Environment.Redis}");
        Console.WriteLine($"  logs        {cluster.Logs}");
        Console.WriteLine();
    }
}
