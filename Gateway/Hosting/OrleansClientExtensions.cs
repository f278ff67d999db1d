using System.Runtime.ExceptionServices;
using Cryb.Errors;
using Cryb.Gateway.Fanout;
using Cryb.Hosting;
using Cryb.Hosting.Health;
using Cryb.Streaming;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Cryb.Gateway.Hosting;

public static partial class OrleansClientExtensions
{
    /// <summary>
    /// The gateway's Orleans client: Redis membership to find silos, push streams to receive
    /// channel, user and presence events, and a retry filter so a gateway started before the silos waits for them.
    /// </summary>
    public static WebApplicationBuilder AddCrybOrleansClient(this WebApplicationBuilder builder)
    {
        var redis = RequiredSettings.ConnectionString(builder.Configuration, ConnectionNames.Redis, "the Redis server holding cluster membership");
        var cluster = builder.Configuration.BindValidated<ClusterSettings>(ClusterSettings.Section);
        var account = builder.Configuration.BindValidated<GatewayAccountSettings>(GatewayAccountSettings.Section);
        builder.Services.AddSingleton(account.Credential);
        builder.Services.AddSingleton<ClusterConnectionChanges>();
        builder.Services.AddSingleton<IClusterConnectionStatusObserver>(services => services.GetRequiredService<ClusterConnectionChanges>());

        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = cluster.ClusterId;
                options.ServiceId = cluster.ServiceId;
            });
            client.Configure<ClientMessagingOptions>(options => options.ResponseTimeout = GrainCalls.Timeout);
            // The client sends through every silo's gateway port and drops one only when its
            // connection fails or the gateway list, read every GatewayListRefreshPeriod (60 s by
            // default), leaves it out. A frozen silo's connection stays open: declared dead after
            // 16 s, it still took a third of the calls until it was resumed 30 s later. Read the
            // list as often as the membership watcher does.
            client.Services.AddOptions<GatewayOptions>()
                .Configure<IOptions<SubscriptionHealthOptions>>((gateways, health) => gateways.GatewayListRefreshPeriod = health.Value.MembershipPollInterval);
            client.UseRedisClustering(options => options.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis));
            client.AddCrybPushStreams(streams => streams.Credential = account.Credential);
            client.AddActivityPropagation();
            client.AddOutgoingGrainCallFilter(UnwrapRefusals);
            client.UseConnectionRetryFilter(async (exception, cancellationToken) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return !cancellationToken.IsCancellationRequested;
            });
        });

        builder.Services.AddCrybHealthChecks()
            .AddRedisReadiness(redis)
            .AddCheck<OrleansClientHealthCheck>("orleans", tags: [HealthEndpoints.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// A grain whose activation failed (its state could not be read) answers with Orleans' wrapper
    /// around the reason; when the reason is a refusal (<c>storage_unavailable</c>), that is what
    /// the hub must see, not an opaque cluster error.
    /// </summary>
    private static async Task UnwrapRefusals(IOutgoingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (OrleansException ex) when (ex.InnerException is ChatException refusal)
        {
            ExceptionDispatchInfo.Throw(refusal);
        }
    }
}
