using Cryb.Gateway.Fanout;
using Cryb.Hosting;
using Cryb.Streaming;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cryb.Gateway.Hosting;

public static class FanoutExtensions
{
    /// <summary>
    /// Events from the cluster to this gateway's connections: the record of which connection is in
    /// which channel (<see cref="ConnectionRegistry"/>), the stream subscriptions that follow it
    /// (<see cref="ChatFanout"/>), presence in batches, and the checks that keep the subscriptions
    /// alive across silo failures.
    /// </summary>
    public static WebApplicationBuilder AddCrybFanout(this WebApplicationBuilder builder)
    {
        var faults = builder.Configuration.BindValidated<FanoutFaultOptions>(FanoutFaultOptions.Section);
        if (faults.Any && builder.Environment.IsProduction())
        {
            throw new InvalidOperationException(
                "Faults:DropMessageSeqs loses pushes on purpose, for tests and drills; it is refused in Production (environment variable Faults__DropMessageSeqs__0).");
        }

        builder.Services.AddOptions<FanoutFaultOptions>().BindConfiguration(FanoutFaultOptions.Section);
        builder.Services.AddOptions<VoiceFrameOptions>().BindConfiguration(VoiceFrameOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<ChatFanout>();
        builder.Services.AddSingleton<PresenceBatches>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PresenceBatches>());
        // Subscriptions the cluster dropped (a silo restart while this gateway reconnected) are made
        // again, and events lost with a silo are fetched, without any client reconnecting.
        builder.Services.AddOptions<SubscriptionHealthOptions>().BindConfiguration(SubscriptionHealthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<SubscriptionHealth>();
        builder.Services.AddHostedService<ClusterMembershipWatcher>();
        // Each check renews every subscription; a lease of three checks survives a late or failed one.
        builder.Services.AddOptions<PushStreamOptions>().Configure<IOptions<SubscriptionHealthOptions>>(
            (streams, health) => streams.Lease = 3 * health.Value.CheckInterval);
        return builder;
    }
}
