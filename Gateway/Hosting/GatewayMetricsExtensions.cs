using Cryb.Gateway.Presence;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cryb.Gateway.Hosting;

public static class GatewayMetricsExtensions
{
    /// <summary>The gateway's instruments (<see cref="GatewayMetrics"/>), tagged with this process's gateway id.</summary>
    public static WebApplicationBuilder AddCrybGatewayMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<GatewayIdentity>();
        builder.Services.AddSingleton<GatewayMetrics>();
        return builder;
    }
}
