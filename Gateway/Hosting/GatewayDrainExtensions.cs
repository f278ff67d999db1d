using Cryb.Gateway.Hubs;
using Cryb.Hosting.Health;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cryb.Gateway.Hosting;

public static class GatewayDrainExtensions
{
    /// <summary>SIGTERM: readiness false, new connections refused, open ones told to reconnect elsewhere (<see cref="GatewayDrain"/>).</summary>
    public static WebApplicationBuilder AddCrybGatewayDrain(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<GatewayDrain>();
        builder.Services.AddHostedService(services => services.GetRequiredService<GatewayDrain>());
        builder.Services.AddHealthChecks().AddCheck<GatewayDrain>("draining", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }

    /// <summary>While the gateway stops, a new hub connection gets 503: the client's retry finds another gateway.</summary>
    public static WebApplication UseCrybGatewayDrain(this WebApplication app)
    {
        var drain = app.Services.GetRequiredService<GatewayDrain>();
        app.Use(async (context, next) =>
        {
            if (drain.Draining && context.Request.Path.StartsWithSegments(ChatHub.Path))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
                return;
            }

            await next(context);
        });
        return app;
    }
}
