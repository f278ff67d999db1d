using Cryb.Gateway.Limits;
using Cryb.Identity;
using Cryb.Limits;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cryb.Gateway.Hosting;

public static class HubLimitsExtensions
{
    /// <summary>
    /// How much the hub lets in: connections set up at once (<see cref="ConnectAdmission"/>, by
    /// <see cref="ChatHubOptions.MaxConnectsInFlight"/>) and each user's calls, from tokens leased
    /// from the user's rate-limit grain (<see cref="RateLimitLeases"/>). The hub's filters apply them.
    /// </summary>
    public static WebApplicationBuilder AddCrybHubLimits(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ConnectAdmission>();
        builder.Services.AddSingleton(services =>
        {
            var cluster = services.GetRequiredService<IClusterClient>();
            return new RateLimitLeases(userId => cluster.GetGrain<IRateLimitGrain>(userId), services.GetRequiredService<ServiceCredential>(), services.GetRequiredService<ClusterConnectionChanges>(), services.GetRequiredService<TimeProvider>());
        });
        return builder;
    }
}
