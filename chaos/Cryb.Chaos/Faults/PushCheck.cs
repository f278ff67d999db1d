using System.Net;
using Cryb.Chaos.Cluster;
using Cryb.Testing.WebPush;
using Npgsql;

namespace Cryb.Chaos.Faults;

/// <summary>
/// The "kill-silo-mid-push" fault: pushes pile up at a push service that holds its answers, so every
/// silo sits on a locked batch of the outbox; one silo is killed with its batch in flight; then the
/// answers flow. Every notification must reach every subscription at least once (the dead silo's
/// rows go to another silo when PostgreSQL ends its connection), and the copies are counted: a push
/// the dead silo handed over before it died is sent again, which the at-least-once promise allows.
/// </summary>
public static class PushCheck
{
    /// <summary>Rows one silo locks per batch in the fault suite's cluster (<see cref="ChaosCluster"/> sets it): small, so every silo holds one.</summary>
    public const int BatchSize = 10;

    private const int Users = 10, SubscriptionsPerUser = 2, NotificationsPerUser = 5;

    public static async Task RunAsync(FaultContext context, WebPushReceiver receiver)
    {
        var silos = context.Cluster.Silos.Where(silo => silo.IsRunning).ToArray();
        receiver.Hold();
        var expected = new HashSet<(string NotificationId, string Endpoint)>();
        var run = Guid.NewGuid().ToString("N")[..8];
        for (var u = 0; u < Users; u++)
        {
            var userId = $"push-{run}-{u}";
            var subscriptions = Enumerable.Range(0, SubscriptionsPerUser).Select(_ => receiver.Subscribe()).ToArray();
            foreach (var subscription in subscriptions)
            {
                await SubscribeAsync(context.Cluster.DataSource, userId, subscription);
            }

            for (var n = 1; n <= NotificationsPerUser; n++)
            {
                var id = await NotifyAsync(context.Cluster.DataSource, userId, n);
                foreach (var subscription in subscriptions)
                {
                    expected.Add((id, subscription.Endpoint));
                }
            }
        }

        // Every live silo holds a full batch once this many pushes wait for their answers.
        var held = silos.Length * BatchSize;
        await receiver.WaitForAsync(attempts => attempts.Count >= held, $"{held} held pushes ({silos.Length} silos each holding a batch)", TimeSpan.FromSeconds(30));
        var victim = context.BusiestSilo.IsRunning ? context.BusiestSilo : silos[0];
        await victim.KillAsync();
        context.Note($"killed {victim.Name} with its batch of {BatchSize} pushes in flight ({receiver.Attempts.Count} pushes held in all)");
        receiver.Release();

        var delivered = await receiver.WaitForAsync(
            attempts => expected.IsSubsetOf(attempts.Where(attempt => attempt.Status == HttpStatusCode.Created).Select(attempt => (attempt.NotificationId!, attempt.Endpoint))),
            $"all {expected.Count} pushes to arrive after the kill", TimeSpan.FromSeconds(60));
        var accepted = delivered.Where(attempt => attempt.Status == HttpStatusCode.Created && expected.Contains((attempt.NotificationId!, attempt.Endpoint))).ToArray();
        var copies = accepted.Length - expected.Count;
        if (receiver.Invalid.Count > 0)
        {
            throw new InvalidOperationException($"{receiver.Invalid.Count} pushes failed the receiver's checks: {receiver.Invalid[0].Problem}");
        }

        context.Note($"push: {expected.Count} of {expected.Count} (notification, subscription) pairs delivered at least once, {copies} sent twice (at least once allows it: the killed silo's batch)");
    }

    private static async Task SubscribeAsync(NpgsqlDataSource database, string userId, ReceiverSubscription subscription)
    {
        await using var command = database.CreateCommand("INSERT INTO push_subscriptions (endpoint, user_id, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, now())");
        command.Parameters.Add(new NpgsqlParameter { Value = subscription.Endpoint });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = subscription.P256dh });
        command.Parameters.Add(new NpgsqlParameter { Value = subscription.Auth });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A direct-message notification at <paramref name="seq"/> with its outbox rows, as the notification's transaction writes them; returns its id.</summary>
    private static async Task<string> NotifyAsync(NpgsqlDataSource database, string userId, long seq)
    {
        var id = Guid.NewGuid();
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            INSERT INTO notifications (user_id, seq, id, kind, actor_id, channel_id, excerpt, created_at)
            VALUES ($1, $2, $3, 5, 'chaos', 'chaos-dm', 'still there?', now())
            """) { Parameters = { new() { Value = userId }, new() { Value = seq }, new() { Value = id } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            INSERT INTO push_outbox (notification_id, endpoint, user_id, user_seq, due_at)
            SELECT $1, endpoint, user_id, $3, now() FROM push_subscriptions WHERE user_id = $2
            """) { Parameters = { new() { Value = id }, new() { Value = userId }, new() { Value = seq } } });
        await batch.ExecuteNonQueryAsync();
        return id.ToString();
    }
}
