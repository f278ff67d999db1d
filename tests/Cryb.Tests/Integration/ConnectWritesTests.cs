using Cryb.Tests.Infrastructure;
using Npgsql;

namespace Cryb.Tests.Integration;

/// <summary>
/// A connect writes nothing to PostgreSQL: a reconnect storm must not turn into a storm of writes
/// (issue "Connections at scale": bursts once exhausted the pool on durable subscription writes).
/// </summary>
public sealed class ConnectWritesTests(TestServers servers, ProcessClusterFixture fixture) : IClassFixture<ProcessClusterFixture>
{
    [Fact]
    public async Task Another_device_connecting_to_a_member_of_channels_writes_no_grain_state_and_no_message()
    {
        var cluster = fixture.Cluster;
        var aliceId = TestUsers.New("alice");
        await using var laptop = await cluster.ConnectAsync(0, aliceId);
        var channelIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var channel = await laptop.CreateChannelAsync($"writes {i}");
            await laptop.SendMessageAsync(channel.Id, "hello");
            channelIds.Add(channel.Id);
        }

        var before = await StateVersionsAsync(aliceId, channelIds);
        var messages = await MessageRowsAsync(channelIds);

        // Both gateways: one that already serves the channels (the laptop's) and one that does not.
        for (var gateway = 0; gateway < 2; gateway++)
        {
            await using var phone = await cluster.ConnectAsync(gateway, aliceId);
            Assert.Equal(3, (await phone.NextAsync<ReadyEvent>("Ready")).Channels.Length);
        }

        // The laptop stays: alice never went offline, which would rightly write when she was last seen.
        Assert.Equal(before, await StateVersionsAsync(aliceId, channelIds));
        Assert.Equal(messages, await MessageRowsAsync(channelIds));
        // The rows compared are there: alice's user grain's and each channel's.
        Assert.Contains(before, row => row.StartsWith($"user {aliceId} ", StringComparison.Ordinal));
        Assert.Equal(3, before.Count(row => row.StartsWith("channel ", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Every grain state row of the user's grains and of the channels, with its version and when it
    /// was written. The storage keeps a key that reads as a GUID (a channel id) as its two halves
    /// (<c>grain_id_n0</c>, <c>grain_id_n1</c>) and any other key (a user id) as its text.
    /// </summary>
    private async Task<string[]> StateVersionsAsync(string userId, List<string> channelIds)
    {
        var halves = channelIds.Select(id => Guid.ParseExact(id, "N").ToByteArray()).Select(bytes => (N0: BitConverter.ToInt64(bytes, 0), N1: BitConverter.ToInt64(bytes, 8))).ToArray();
        await using var command = servers.DataSource.CreateCommand(
            "SELECT grain_type || ' ' || coalesce(nullif(grain_id_extension, ''), grain_id_n0 || '/' || grain_id_n1) || ' v' || version || ' ' || modified_at FROM orleans_grain_state " +
            "WHERE grain_id_extension = $1 OR (grain_id_n0, grain_id_n1) IN (SELECT * FROM unnest($2::bigint[], $3::bigint[])) ORDER BY 1");
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = halves.Select(half => half.N0).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = halves.Select(half => half.N1).ToArray() });
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add(reader.GetString(0));
        }

        return [.. rows];
    }

    private async Task<long> MessageRowsAsync(List<string> channelIds)
    {
        await using var command = servers.DataSource.CreateCommand("SELECT count(*) FROM messages WHERE channel_id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = channelIds.ToArray() });
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
