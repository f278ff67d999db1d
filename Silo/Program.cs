using Cryb.Hosting;
using Cryb.Hosting.Health;
using Cryb.Silo.Hosting;
using Cryb.Silo.Schema;

// `Cryb.Silo migrate` applies the schema and exits: the deployment's one-shot migration step.
if (args is ["migrate", ..])
{
    return await MigrateCommand.RunAsync(args[1..]);
}

// `Cryb.Silo probe URL`: the container HEALTHCHECK, before any host is built (HealthProbe says why).
if (args is [HealthProbe.Command, ..])
{
    return await HealthProbe.RunAsync(args[1..]);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddCrybShutdown();
builder.AddCrybSilo();
var app = builder.Build();
app.MapCrybSilo();

if (app.Services.GetRequiredService<SiloSettings>().MigrateOnStart)
{
    // Before the silo starts: the grain storage reads its queries from the schema at start.
    await app.Services.GetRequiredService<SchemaMigrator>().ApplyAsync();
}

await app.RunAsync();
return 0;
