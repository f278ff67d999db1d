using Cryb.Grains.Messages;
using Cryb.Silo.Hosting;
using Cryb.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cryb.Tests.Storage;

/// <summary>
/// The message writer's connections plan each statement once, and only they do: the silo's other
/// connections keep PostgreSQL's choice, which some reads need.
/// </summary>
public sealed class MessageWriterConnectionsTests(TestServers servers)
{
    [Fact]
    public async Task The_writers_connections_use_generic_plans_and_the_message_stores_do_not()
    {
        await using var services = new ServiceCollection().AddCrybDataServices(servers.PostgresConnectionString).BuildServiceProvider();

        Assert.Equal("force_generic_plan", await PlanCacheModeAsync(services.GetRequiredKeyedService<NpgsqlDataSource>(MessageWriter.DataSourceKey)));
        Assert.Equal("auto", await PlanCacheModeAsync(services.GetRequiredService<NpgsqlDataSource>()));
    }

    [Fact]
    public async Task A_plan_cache_mode_in_the_connection_strings_options_wins()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(servers.PostgresConnectionString) { Options = "-c plan_cache_mode=force_custom_plan" }.ConnectionString;
        await using var services = new ServiceCollection().AddCrybDataServices(connectionString).BuildServiceProvider();

        Assert.Equal("force_custom_plan", await PlanCacheModeAsync(services.GetRequiredKeyedService<NpgsqlDataSource>(MessageWriter.DataSourceKey)));
    }

    private static async Task<string> PlanCacheModeAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SHOW plan_cache_mode");
        return (string)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
