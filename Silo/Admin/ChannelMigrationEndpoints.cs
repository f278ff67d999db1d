using Cryb.Channels;

namespace Cryb.Silo.Admin;

/// <summary>
/// The operator's handle on the standalone channel sweep (<see cref="IChannelSweepGrain"/>):
/// <c>POST /admin/channel-migration</c> starts a pass (or returns the running one's progress),
/// <c>GET</c> shows the progress. On the silo's HTTP port, behind the dashboard's credentials
/// outside Development, like the dashboard: it is for operators, never for clients.
/// </summary>
public static class ChannelMigrationEndpoints
{
    public const string Route = "/admin/channel-migration";

    public static WebApplication MapChannelMigration(this WebApplication app)
    {
        var sweep = () => app.Services.GetRequiredService<IGrainFactory>().GetGrain<IChannelSweepGrain>(0);
        var group = app.MapGroup(Route);
        group.MapPost("", async () => TypedResults.Ok(await sweep().Start()));
        group.MapGet("", async () => TypedResults.Ok(await sweep().GetProgress()));
        if (!app.Environment.IsDevelopment())
        {
            group.RequireAuthorization();
        }

        return app;
    }
}
