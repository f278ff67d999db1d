using Cryb.Notifications;
using Cryb.Testing.WebPush;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Orleans.TestingHost;

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// A two-silo cluster with Web Push on: a fresh VAPID pair, pushes after a user has been away for
/// <see cref="AwayAfter"/>, and a <see cref="WebPushReceiver"/> on loopback that accepts only pushes
/// signed with that pair. Tests write notifications, subscriptions and outbox rows as the
/// notification's transaction does, and watch the receiver.
/// </summary>
public sealed class PushClusterFixture(TestServers servers) : IAsyncLifetime
{
    /// <summary>Short, so a test waits for it rather than a minute; long enough to tell "at once" from "after".</summary>
    public static readonly TimeSpan AwayAfter = TimeSpan.FromSeconds(1);

    public VapidPair Vapid { get; } = VapidPair.Generate();
    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IClusterClient Client => Cluster.Client;
    public WebPushReceiver Receiver { get; private set; } = null!;
    public NpgsqlDataSource Database => servers.DataSource;

    /// <summary>The settings these silos run with; a test of start-up refusals varies them.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Push:Subject", "mailto:ops@cryb.test"),
        new("Push:PublicKey", Vapid.PublicKey),
        new("Push:PrivateKey", Vapid.PrivateKey),
        new("Push:AwayAfter", AwayAfter.ToString()),
        new("Push:PollInterval", "00:00:00.050"),
        new("Push:RetryBase", "00:00:00.200"),
        new("Push:RequestTimeout", "00:00:05"),
        // Connections the tests register belong to a gateway that never heartbeats.
        new("Presence:GatewayLease", "00:10:00"),
    ];

    public async ValueTask InitializeAsync()
    {
        Receiver = WebPushReceiver.Start(Vapid.PublicKey);
        var builder = ClusterFixture.CrybBuilder(servers, silos: 2);
        builder.ConfigureSiloHost((_, host) => host.Configuration.AddInMemoryCollection(Settings));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>A subscription at the receiver (or <paramref name="stored"/>, as given), registered for <paramref name="userId"/> as <c>RegisterPushSubscription</c> stores it.</summary>
    public async Task<ReceiverSubscription> SubscribeAsync(string userId, ReceiverSubscription? stored = null)
    {
        var subscription = stored ?? Receiver.Subscribe();
        await using var command = Database.CreateCommand(
            "INSERT INTO push_subscriptions (endpoint, user_id, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, now())");
        command.Parameters.Add(new NpgsqlParameter { Value = subscription.Endpoint });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = subscription.P256dh });
        command.Parameters.Add(new NpgsqlParameter { Value = subscription.Auth });
        await command.ExecuteNonQueryAsync();
        return subscription;
    }

    /// <summary>
    /// A notification for <paramref name="userId"/> at the next seq, and an outbox row for each of
    /// their subscriptions due at its creation: what the notification's transaction writes.
    /// </summary>
    public async Task<Notification> NotifyAsync(string userId, NotificationKind kind, string? channelId, string excerpt = "hello")
    {
        await using var connection = await Database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var id = Guid.NewGuid();
        await using var insert = new NpgsqlCommand("""
            WITH next AS (SELECT coalesce(max(seq), 0) + 1 AS seq FROM notifications WHERE user_id = $1)
            INSERT INTO notifications (user_id, seq, id, kind, actor_id, guild_id, channel_id, message_id, message_seq, excerpt, created_at)
            SELECT $1, next.seq, $2, $3, 'bob', NULL, $4, $5, CASE WHEN $4::text IS NULL THEN NULL ELSE 7 END, $6, clock_timestamp()
            FROM next
            RETURNING seq, created_at
            """, connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter { Value = userId });
        insert.Parameters.Add(new NpgsqlParameter { Value = id });
        insert.Parameters.Add(new NpgsqlParameter { Value = (short)kind });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)channelId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = channelId is null ? DBNull.Value : Guid.NewGuid(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        insert.Parameters.Add(new NpgsqlParameter { Value = excerpt });
        long seq;
        DateTimeOffset createdAt;
        await using (var reader = await insert.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            seq = reader.GetInt64(0);
            createdAt = reader.GetFieldValue<DateTimeOffset>(1);
        }

        await using var outbox = new NpgsqlCommand("""
            INSERT INTO push_outbox (notification_id, endpoint, user_id, user_seq, due_at)
            SELECT $1, endpoint, user_id, $3, $4 FROM push_subscriptions WHERE user_id = $2
            """, connection, transaction);
        outbox.Parameters.Add(new NpgsqlParameter { Value = id });
        outbox.Parameters.Add(new NpgsqlParameter { Value = userId });
        outbox.Parameters.Add(new NpgsqlParameter { Value = seq });
        outbox.Parameters.Add(new NpgsqlParameter { Value = createdAt });
        await outbox.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        return new Notification(seq, id.ToString(), kind, "bob", null, channelId, null, null, excerpt, createdAt);
    }

    /// <summary>Outbox rows left for <paramref name="endpoint"/>.</summary>
    public async Task<long> OutboxRowsAsync(string endpoint)
    {
        await using var command = Database.CreateCommand("SELECT count(*) FROM push_outbox WHERE endpoint = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = endpoint });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<bool> SubscriptionExistsAsync(string endpoint)
    {
        await using var command = Database.CreateCommand("SELECT count(*) FROM push_subscriptions WHERE endpoint = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = endpoint });
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PushClusterCollection : ICollectionFixture<PushClusterFixture>
{
    public const string Name = "push";
}
