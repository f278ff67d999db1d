using Cryb.Gateway.Presence;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cryb.Gateway.Hosting;

public static class PresenceExtensions
{
    /// <summary>
    /// This gateway's part in presence: its lease kept alive (<see cref="PresenceHeartbeat"/>), and
    /// its connections registered with their presence grains again when a silo or the lease was lost.
    /// </summary>
    public static WebApplicationBuilder AddCrybPresence(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<GatewayIdentity>();
        builder.Services.AddSingleton<PresenceRegistrations>();
        builder.Services.AddHostedService<PresenceHeartbeat>();
        builder.Services.AddHostedService<PresenceRecovery>();
        return builder;
    }
}
