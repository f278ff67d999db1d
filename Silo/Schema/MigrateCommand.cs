using Cryb.Hosting;
using Npgsql;

namespace Cryb.Silo.Schema;

/// <summary>
/// <c>Cryb.Silo migrate</c>: applies the schema with only PostgreSQL configured, for a deploy
/// step that runs before any silo (a Kubernetes Job, a compose one-shot service, <c>./cryb up</c>).
/// </summary>
public static class MigrateCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var postgres = RequiredSettings.ConnectionString(builder.Configuration, ConnectionNames.Postgres, "the PostgreSQL database to migrate");
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(postgres));
        builder.Services.AddSingleton<SchemaMigrator>();
        using var host = builder.Build();
        await host.Services.GetRequiredService<SchemaMigrator>().ApplyAsync();
        return 0;
    }
}
