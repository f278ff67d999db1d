using Cryb.Silo.Schema;
using Cryb.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cryb.Tests.Schema;

public sealed class SchemaMigratorTests(TestServers servers)
{
    [Fact]
    public async Task A_second_run_applies_nothing_and_every_script_is_recorded()
    {
        var migrator = new SchemaMigrator(servers.DataSource, NullLogger<SchemaMigrator>.Instance);

        var applied = await migrator.ApplyAsync(TestContext.Current.CancellationToken);

        Assert.Empty(applied);
        await using var command = servers.DataSource.CreateCommand("SELECT array_agg(version ORDER BY version) FROM cryb_schema_migrations");
        var recorded = (int[])(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal(SchemaMigrator.Migrations.Select(m => m.Version), recorded);
    }

    [Fact]
    public async Task Runs_from_several_silos_at_once_do_not_collide()
    {
        var runs = Enumerable.Range(0, 4)
            .Select(_ => new SchemaMigrator(servers.DataSource, NullLogger<SchemaMigrator>.Instance).ApplyAsync(TestContext.Current.CancellationToken));

        var applied = await Task.WhenAll(runs);

        Assert.All(applied, Assert.Empty);
    }

    [Fact]
    public async Task A_silo_that_starts_before_postgres_migrates_once_postgres_is_up()
    {
        await using var postgres = await PostgresServer.StartNewAsync(ClusterProfile.Tests);
        await postgres.StopAsync();
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(postgres.ConnectionString());
        var retries = new RetryAnnouncements();
        var migrator = new SchemaMigrator(dataSource, retries);

        var migrating = migrator.ApplyAsync(TestContext.Current.CancellationToken);
        await retries.First.Task.WithinAsync(TimeSpan.FromSeconds(30), "the migrator to announce a retry while PostgreSQL is down");
        Assert.False(migrating.IsCompleted);
        await postgres.StartAsync();

        Assert.Equal(SchemaMigrator.Migrations.Select(m => m.Version), await migrating);
    }

    /// <summary>The migrator's log, read for the moment it announces its first retry.</summary>
    private sealed class RetryAnnouncements : ILogger<SchemaMigrator>
    {
        public TaskCompletionSource First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning && formatter(state, exception).Contains("retrying", StringComparison.Ordinal))
            {
                First.TrySetResult();
            }
        }
    }
}
