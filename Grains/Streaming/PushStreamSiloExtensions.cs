using Cryb.Grains.Telemetry;
using Cryb.Streaming;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Cryb.Grains.Streaming;

public static class PushStreamSiloExtensions
{
    /// <summary>
    /// Cryb's push streams on a silo: grains publish on <c>GetStreamProvider(StreamNames.Provider)</c>,
    /// and the owner of each stream (<see cref="StreamOwners"/>) keeps its subscribers in a
    /// <see cref="StreamOwnerExtension"/>, installed at the first subscription or publish.
    /// </summary>
    public static IServiceCollection AddCrybPushStreams(this IServiceCollection services)
    {
        services.AddKeyedSingleton<IStreamProvider>(StreamNames.Provider, (provider, key) => new PushStreamProvider(
            (string)key!, provider, new PushStreamOptions(), provider.GetRequiredService<ILogger<PushStreamProvider>>()));
        services.AddKeyedTransient<IGrainExtension>(typeof(IStreamOwnerExtension), (provider, _) => new StreamOwnerExtension(
            provider.GetRequiredService<IGrainContextAccessor>().GrainContext,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<SiloMetrics>(),
            provider.GetRequiredService<ILogger<StreamOwnerExtension>>()));
        return services;
    }
}
