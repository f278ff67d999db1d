using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Cryb.Streaming;

public static class PushStreamClientExtensions
{
    /// <summary>
    /// Cryb's push streams on an Orleans client (a gateway, a backend service, a test):
    /// <c>GetStreamProvider(StreamNames.Provider)</c> subscribes to channel and user streams with the
    /// credential <paramref name="configure"/> sets.
    /// </summary>
    public static IClientBuilder AddCrybPushStreams(this IClientBuilder client, Action<PushStreamOptions> configure)
    {
        client.Services.AddOptions<PushStreamOptions>().Configure(configure);
        client.Services.AddKeyedSingleton<IStreamProvider>(StreamNames.Provider, (services, key) => new PushStreamProvider(
            (string)key!, services, services.GetRequiredService<IOptions<PushStreamOptions>>().Value, services.GetRequiredService<ILogger<PushStreamProvider>>()));
        return client;
    }
}
