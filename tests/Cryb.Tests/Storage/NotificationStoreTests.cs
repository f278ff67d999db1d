using Cryb.Grains.Notifications;
using Cryb.Notifications;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Storage;

/// <summary>
/// The notification tables on the run's PostgreSQL, without a cluster: writers racing on shared
/// recipients (two silos' commits) still number each user's notifications without gaps or
/// deadlocks, and the retention sweep deletes only what is both old and beyond a user's newest
/// thousand.
/// </summary>
public sealed class NotificationStoreTests(TestServers servers)
{
    private PostgresNotificationStore Store => new(servers.DataSource);

    [Fact]
    public async Task Transactions_racing_on_the_same_recipients_in_any_order_number_each_users_notifications_without_gaps()
    {
        var users = Enumerable.Range(0, 4).Select(_ => TestUsers.New("racer")).ToArray();
        const int Writers = 24;
        var writes = Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            // Each writer names the users in its own order, twice for one of them: the statement locks them in one order.
            var order = users.OrderBy(_ => Random.Shared.Next()).Append(users[writer % users.Length]).ToArray();
            return await Store.WriteAsync(order.Select(userId =>
                NotificationDraft.Unscoped(userId, NotificationKind.FriendRequest, $"actor-{writer}", null, null, DateTimeOffset.UtcNow)).ToArray());
        })).ToArray();
        var written = (await Task.WhenAll(writes)).SelectMany(batch => batch).ToArray();

        foreach (var userId in users)
        {
            var expected = Writers + Writers / users.Length;
            Assert.Equal(Enumerable.Range(1, expected).Select(seq => (long)seq), written.Where(n => n.UserId == userId).Select(n => n.Notification.Seq).Order());
            Assert.Equal(Enumerable.Range(1, expected).Select(seq => (long)seq).Reverse(), (await Store.GetBeforeAsync(userId, long.MaxValue, 100, false)).Select(n => n.Seq));
            Assert.Equal((expected, 0L), await Store.GetCursorAsync(userId) is var (last, acked) ? ((int)last, acked) : default);
        }
    }

    [Fact]
    public async Task The_sweep_deletes_notifications_older_than_thirty_days_only_beyond_each_users_newest_thousand()
    {
        var (busy, quiet) = (TestUsers.New("busy"), TestUsers.New("quiet"));
        var old = DateTimeOffset.UtcNow - NotificationLimits.KeptFor - TimeSpan.FromDays(1);
        // busy: 1,005 notifications, the first 10 old; quiet: 20, all old.
        await SeedAsync(busy, 1005, oldUpToSeq: 10, old);
        await SeedAsync(quiet, 20, oldUpToSeq: 20, old);

        var deleted = 0;
        while (await Store.DeleteExpiredAsync(DateTimeOffset.UtcNow, limit: 2) is var batch and > 0)
        {
            deleted += batch;
        }

        // Only busy's seqs 1 to 5 were both old and beyond the newest 1,000 (6 to 1,005); other
        // tests' users are never old, so nothing else goes.
        Assert.Equal(5, deleted);
        Assert.Equal(6L, (await Store.GetAfterAsync(busy, 0, 1)).Single().Seq);
        Assert.Equal(20, (await Store.GetAfterAsync(quiet, 0, 100)).Count);
    }

    private async Task SeedAsync(string userId, int count, int oldUpToSeq, DateTimeOffset old)
    {
        await using var command = servers.DataSource.CreateCommand("""
            WITH inbox AS (INSERT INTO notification_inboxes (user_id, last_seq) VALUES ($1, $2))
            INSERT INTO notifications (user_id, seq, id, kind, actor_id, created_at)
            SELECT $1, seq, gen_random_uuid(), 7, 'someone', CASE WHEN seq <= $3 THEN $4 ELSE now() END
              FROM generate_series(1, $2) AS seq
            """);
        command.Parameters.AddWithValue(userId);
        command.Parameters.AddWithValue((long)count);
        command.Parameters.AddWithValue((long)oldUpToSeq);
        command.Parameters.AddWithValue(old);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
