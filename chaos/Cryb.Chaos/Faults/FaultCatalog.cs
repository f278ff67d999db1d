using System.Diagnostics;
using Cryb.Bench.Measurement;
using Cryb.Chaos.Cluster;

namespace Cryb.Chaos.Faults;

/// <summary>Every scenario, in the order the suite runs them (docs/reliability.md "Fault suite" describes each).</summary>
public static class FaultCatalog
{
    private static readonly TimeSpan ClientsBack = TimeSpan.FromSeconds(60);

    /// <summary>The failover targets (docs/reliability.md "Failover"): every channel sends again within 10 s of a kill -9 of a silo, within 20 s of a freeze.</summary>
    private const double KilledSiloTarget = 10, PausedSiloTarget = 20;

    public static IReadOnlyList<Fault> All { get; } =
    [
        new("kill-silo", "kill -9 the silo hosting the busiest channel grains; not restarted until the scenario ends", true, async context =>
        {
            context.Note($"killed {context.BusiestSilo.Name}");
            await context.BusiestSilo.KillAsync();
            // Long enough for the others to declare it dead and the grains to move.
            await Task.Delay(context.Settings.SiloFailureWait);
        }, SendsAgainWithinSeconds: KilledSiloTarget),
        new("kill-silo-restart", "kill -9 the busiest silo and start it again at once on the same ports", true, async context =>
        {
            context.Note($"killed and restarted {context.BusiestSilo.Name}");
            await context.BusiestSilo.KillAsync();
            await ChaosCluster.RestartAsync(context.BusiestSilo);
        }, SendsAgainWithinSeconds: KilledSiloTarget),
        new("rolling-restart", "SIGTERM every silo in turn, each started again and ready before the next", true, async context =>
        {
            foreach (var silo in context.Cluster.Silos)
            {
                await silo.StopAsync();
                await ChaosCluster.RestartAsync(silo);
            }
        }),
        new("pause-silo", "kill -STOP the busiest silo for longer than failure detection, then kill -CONT: the zombie must not overwrite newer state", true, async context =>
        {
            var silo = context.BusiestSilo;
            silo.Pause();
            await Task.Delay(context.Settings.PauseFor);
            silo.Resume();
            // Declared dead meanwhile, the silo learns so when it reads membership again and stops itself.
            var resumed = Stopwatch.StartNew();
            try
            {
                var code = await silo.WaitForExitAsync(TimeSpan.FromSeconds(30));
                context.Note($"{silo.Name} paused {context.Settings.PauseFor.TotalSeconds:F0} s; after SIGCONT it stopped itself in {resumed.Elapsed.TotalSeconds:F1} s (exit {code})");
                await ChaosCluster.RestartAsync(silo);
            }
            catch (OperationCanceledException)
            {
                context.Note($"{silo.Name} paused {context.Settings.PauseFor.TotalSeconds:F0} s; still running 30 s after SIGCONT (not declared dead, or rejoined)");
            }
        }, SendsAgainWithinSeconds: PausedSiloTarget),
        new("kill-gateway", "kill -9 the gateway most clients use; they reconnect to the other and resume", true, async context =>
        {
            await KillOrStopGatewayAsync(context, graceful: false);
        }),
        new("server-roles", "kill -9 the busiest silo while the server's owner keeps changing roles (each server channel's role, and one member's extra role): every member keeps its channel and nothing is lost", true, async context =>
        {
            using var stop = new CancellationTokenSource();
            var churn = context.Server.ChurnRolesAsync(stop.Token);
            await Task.Delay(TimeSpan.FromSeconds(1));
            await context.BusiestSilo.KillAsync();
            await Task.Delay(context.Settings.SiloFailureWait);
            await stop.CancelAsync();
            var (changes, failures) = await churn;
            context.Note($"killed {context.BusiestSilo.Name} while the server's roles changed: {changes} role changes made, {failures} refused or timed out during the kill");
        }, SendsAgainWithinSeconds: KilledSiloTarget),
        new("kill-silo-mid-push", "kill -9 a silo while each silo holds a batch of Web Pushes the push service has not answered: every notification reaches every subscription at least once, copies counted", true, async context =>
        {
            await using var receiver = Cryb.Testing.WebPush.WebPushReceiver.Start(ChaosCluster.Vapid.PublicKey);
            await PushCheck.RunAsync(context, receiver);
        }),
        new("kill-presence-silo", "kill -9 the silo holding the most presence grains: every connected user must show online to their channels again (asserted within 30 s; target 10 s)", false, async context =>
        {
            var (silo, online) = await PresenceCheck.BusiestSiloAsync(context.Cluster);
            var (before, _) = await PresenceCheck.WaitAllOnlineAsync(context.Clients, TimeSpan.FromSeconds(10));
            if (before is null)
            {
                throw new InvalidOperationException("before the kill, some connected users were already shown offline");
            }

            await silo.KillAsync();
            var (after, shownOffline) = await PresenceCheck.WaitAllOnlineAsync(context.Clients, TimeSpan.FromSeconds(30));
            context.UsersShownOffline = shownOffline.Count;
            context.Note(after is { } seconds
                ? $"killed {silo.Name}, which counted {online} users online; every connected user shown online to their channels again {seconds.TotalSeconds:F1} s after the kill"
                : $"killed {silo.Name}, which counted {online} users online; still shown offline 30 s after the kill: {string.Join(", ", shownOffline)}");
        }),
        new("stop-gateway", "SIGTERM the gateway most clients use: clients are told (gateway_stopping) and move", false, async context =>
        {
            await KillOrStopGatewayAsync(context, graceful: true);
        }),
        new("postgres-fast", "PostgreSQL stopped (pg_ctl -m fast) for the outage time, then started", false, context =>
            PostgresOutageAsync(context, () => context.Cluster.Postgres.StopAsync("fast"), () => context.Cluster.Postgres.StartAsync())),
        new("postgres-immediate", "PostgreSQL stopped (pg_ctl -m immediate: no shutdown checkpoint) for the outage time", false, context =>
            PostgresOutageAsync(context, () => context.Cluster.Postgres.StopAsync("immediate"), () => context.Cluster.Postgres.StartAsync())),
        new("postgres-kill", "kill -9 of the postmaster (its backends exit when they notice); started again after the outage time", false, context =>
            PostgresOutageAsync(
                context,
                () =>
                {
                    context.Cluster.Postgres.Kill();
                    return Task.CompletedTask;
                },
                () => context.Cluster.Postgres.StartAfterCrashAsync(TimeSpan.FromSeconds(60)))),
        new("redis-restart", "Redis (append-only file on) stopped with SIGTERM for 5 s and started again", false, async context =>
        {
            await context.Cluster.Redis.StopAsync(graceful: true);
            await Task.Delay(TimeSpan.FromSeconds(5));
            await context.Cluster.Redis.StartAsync();
        }),
        new("redis-lost", "Redis killed and started empty (as one without persistence restarts): the cluster's membership table is gone", false, async context =>
        {
            await context.Cluster.Redis.StopAsync();
            context.Cluster.Redis.DeleteData();
            await context.Cluster.Redis.StartAsync();
            // What the silos make of it shows in whether they are still running and ready a while later.
            await Task.Delay(TimeSpan.FromSeconds(20));
            var notReady = await NotReadyAsync(context.Cluster);
            context.Note(notReady.Length == 0
                ? "every silo and gateway running and ready 20 s after Redis came back empty"
                : $"20 s after Redis came back empty, not ready: {string.Join(", ", notReady)}");
            // The remedy docs/reliability.md prescribes: restart the silos in turn, then any gateway still not ready.
            var clock = Stopwatch.StartNew();
            try
            {
                foreach (var silo in context.Cluster.Silos)
                {
                    await silo.StopAsync();
                    await ChaosCluster.RestartAsync(silo);
                }

                foreach (var gateway in context.Cluster.Gateways.Where(gateway => notReady.Contains(gateway.Name)))
                {
                    await gateway.StopAsync();
                    await ChaosCluster.RestartAsync(gateway);
                }

                context.Note($"after restarting the silos in turn (and the gateways not ready) everything was ready in {clock.Elapsed.TotalSeconds:F0} s");
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                context.Note($"restarting the silos in turn did not make everything ready: {ex.Message.Split('\n')[0]}");
            }
        }),
        new("full-restart", "every gateway and silo stopped (SIGTERM), PostgreSQL and Redis restarted, everything started again: seq continues", false, async context =>
        {
            var cluster = context.Cluster;
            await Task.WhenAll(cluster.Gateways.Select(gateway => gateway.StopAsync()));
            foreach (var silo in cluster.Silos.Reverse())
            {
                await silo.StopAsync();
            }

            await cluster.Postgres.StopAsync("fast");
            await cluster.Redis.StopAsync(graceful: true);
            await cluster.Postgres.StartAsync();
            await cluster.Redis.StartAsync();
            await cluster.HealAsync();
            await context.WaitClientsConnectedAsync(ClientsBack);
        }),
        new("slow-client", "a client that joins a channel and never reads its socket, for the pause time", false, async context =>
        {
            await using var slow = await SlowClient.ConnectAsync(context.Cluster.GatewayUrls[0], context.SlowClientToken, context.ChannelIds[0]);
            await Task.Delay(context.Settings.PauseFor / 2);
            context.Note($"slow client on {context.Cluster.Gateways[0].Name}: {(await slow.WasClosedAsync() ? "closed by the gateway" : "still open")} after {(context.Settings.PauseFor / 2).TotalSeconds:F0} s");
        }),
        new("slow-gateway", "kill -STOP the gateway most clients use for 15 s (under SignalR's 30 s client timeout), then kill -CONT", false, async context =>
        {
            context.Note($"paused {context.BusiestGateway.Name}");
            context.BusiestGateway.Pause();
            await Task.Delay(TimeSpan.FromSeconds(15));
            context.BusiestGateway.Resume();
        }),
    ];

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public static Fault? Find(string name) => All.FirstOrDefault(fault => fault.Name == name);

    private static async Task KillOrStopGatewayAsync(FaultContext context, bool graceful)
    {
        var gateway = context.BusiestGateway;
        var on = context.Clients.Count(client => client.Gateway == gateway.Url);
        var clock = Stopwatch.StartNew();
        if (graceful)
        {
            await gateway.StopAsync();
        }
        else
        {
            await gateway.KillAsync();
        }

        var stopped = clock.Elapsed;
        await context.WaitClientsConnectedAsync(ClientsBack);
        context.Note($"{(graceful ? "stopped" : "killed")} {gateway.Name} with {on} clients on it" +
            (graceful ? $"; it exited {stopped.TotalSeconds:F1} s after SIGTERM" : "") +
            $"; every client connected again {clock.Elapsed.TotalSeconds:F1} s after the fault");
        await ChaosCluster.RestartAsync(gateway);
    }

    private static async Task<string[]> NotReadyAsync(ChaosCluster cluster)
    {
        var notReady = new List<string>();
        foreach (var process in cluster.Silos.Concat(cluster.Gateways))
        {
            try
            {
                using var response = await Http.GetAsync($"{process.Url}/health/ready");
                if (!response.IsSuccessStatusCode)
                {
                    notReady.Add(process.Name);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                notReady.Add(process.Name);
            }
        }

        return [.. notReady];
    }

    private static async Task PostgresOutageAsync(FaultContext context, Func<Task> stop, Func<Task> start)
    {
        var from = BenchClock.NowMicros;
        context.Window.Outage = (from, long.MaxValue);
        await stop();
        await Task.Delay(context.Settings.OutageFor);
        // Acknowledgements count as "while down" up to the moment PostgreSQL is asked to start.
        context.Window.Outage = (from, BenchClock.NowMicros);
        await start();
    }
}
