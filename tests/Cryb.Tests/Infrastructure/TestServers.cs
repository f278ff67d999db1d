using Cryb.Silo.Schema;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

[assembly: AssemblyFixture(typeof(Cryb.Tests.Infrastructure.TestServers))]

namespace Cryb.Tests.Infrastructure;

/// <summary>
/// One private PostgreSQL (schema applied) and one Redis for the whole test run. Tests isolate
/// themselves with fresh grain keys and a fresh cluster id per cluster, not fresh servers.
/// </summary>
public sealed class TestServers : IAsyncLifetime
{
    public PostgresServer Postgres { get; private set; } = null!;
    public RedisServer Redis { get; private set; } = null!;
    public string PostgresConnectionString => Postgres.ConnectionString();
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var postgres = PostgresServer.StartNewAsync(ClusterProfile.Tests);
        var redis = RedisServer.StartNewAsync(ClusterProfile.Tests);
        Postgres = await postgres;
        Redis = await redis;
        DataSource = NpgsqlDataSource.Create(PostgresConnectionString);
        await new SchemaMigrator(DataSource, NullLogger<SchemaMigrator>.Instance).ApplyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    /// <summary>Stops and starts PostgreSQL and Redis, as an operator restarting the machine would.</summary>
    public async Task RestartAsync()
    {
        await Postgres.StopAsync();
        await Redis.StopAsync();
        await Postgres.StartAsync();
        await Redis.StartAsync();
        // The pool's connections died with the server; new ones are opened on demand.
        DataSource.Clear();
    }

    /// <summary>Stops PostgreSQL alone; mode is pg_ctl's: smart, fast or immediate.</summary>
    public Task StopPostgresAsync(string mode = "fast") => Postgres.StopAsync(mode);

    /// <summary>Starts PostgreSQL again; the tests' own pool forgets its dead connections.</summary>
    public async Task StartPostgresAsync()
    {
        await Postgres.StartAsync();
        DataSource.Clear();
    }

    /// <summary>
    /// The channel's rows in PostgreSQL in seq order, each with the id of the transaction that wrote
    /// it (<c>xmin</c>): rows that share it were committed together.
    /// </summary>
    public async Task<IReadOnlyList<StoredMessage>> StoredMessagesAsync(string channelId)
    {
        await using var command = DataSource.CreateCommand(
            "SELECT seq, id, author_id, content, nonce, xmin::text, mentions FROM messages WHERE channel_id = $1 ORDER BY seq");
        command.Parameters.Add(new() { Value = channelId });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<StoredMessage>();
        while (await reader.ReadAsync())
        {
            rows.Add(new StoredMessage(
                reader.GetInt64(0), reader.GetGuid(1).ToString(), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.GetFieldValue<string[]>(6)));
        }

        return rows;
    }

    /// <summary>
    /// Leaves the message a row the message store cannot map (mentions as a text[] of two
    /// dimensions, as a faulty migration could): reading it throws <see cref="InvalidCastException"/>
    /// in the silo while PostgreSQL answers fine. A defect, not an outage.
    /// </summary>
    public async Task CorruptMentionsAsync(string messageId)
    {
        await using var command = DataSource.CreateCommand("UPDATE messages SET mentions = '{{a,b},{c,d}}' WHERE id = $1");
        command.Parameters.Add(new() { Value = Guid.Parse(messageId) });
        if (await command.ExecuteNonQueryAsync() != 1)
        {
            throw new InvalidOperationException($"No message {messageId} to corrupt.");
        }
    }

    /// <summary>How many messages the channel has in PostgreSQL: the truth the tests check against.</summary>
    public async Task<long> CountMessagesAsync(string channelId)
    {
        await using var command = DataSource.CreateCommand("SELECT count(*) FROM messages WHERE channel_id = $1");
        command.Parameters.Add(new() { Value = channelId });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>A row of <c>messages</c>; <see cref="Transaction"/> is the id of the transaction that wrote it.</summary>
public sealed record StoredMessage(long Seq, string Id, string AuthorId, string Content, string? Nonce, string Transaction, IReadOnlyList<string> Mentions);
