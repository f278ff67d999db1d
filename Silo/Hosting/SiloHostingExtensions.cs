using System.Net;
using Cryb.Grains.Channels;
using Cryb.Grains.Guilds;
using Cryb.Grains.Notifications;
using Cryb.Grains.Relationships;
using Cryb.Grains.Messages;
using Cryb.Grains.Storage;
using Cryb.Grains.Streaming;
using Cryb.Grains.Limits;
using Cryb.Grains.Presence;
using Cryb.Grains.Security;
using Cryb.Grains.Typing;
using Cryb.Hosting;
using Cryb.Grains.Telemetry;
using Cryb.Hosting.Health;
using Cryb.Hosting.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Cryb.Silo.Admin;
using Cryb.Silo.Dashboard;
using Cryb.Silo.Storage;
using Orleans.Storage;

namespace Cryb.Silo.Hosting;

public static class SiloHostingExtensions
{
    /// <summary>
    /// Makes this web host an Orleans silo: Redis membership, PostgreSQL grain storage and message
    /// store, push streams for fan-out, the dashboard and readiness checks.
    /// </summary>
    public static WebApplicationBuilder AddCrybSilo(this WebApplicationBuilder builder)
    {
        var postgres = RequiredSettings.ConnectionString(builder.Configuration, ConnectionNames.Postgres, "the PostgreSQL database for grain state and messages");
        var redis = RequiredSettings.ConnectionString(builder.Configuration, ConnectionNames.Redis, "the Redis server holding cluster membership");
        var cluster = builder.Configuration.BindValidated<ClusterSettings>(ClusterSettings.Section);
        var silo = builder.Configuration.BindValidated<SiloSettings>(SiloSettings.Section);
        var dashboard = builder.Configuration.BindValidated<DashboardSettings>(DashboardSettings.Section);
        var failureDetection = builder.Configuration.BindValidated<FailureDetectionSettings>(FailureDetectionSettings.Section);

        builder.AddCrybTelemetry("cryb-silo");
        builder.AddCrybDashboardAuthentication();
        builder.Services.AddSingleton(silo);
        builder.Services.AddCrybDataServices(postgres);
        builder.Services.AddHostedService<Notifications.NotificationRetention>();
        builder.Services.AddCrybHealthChecks()
            .AddPostgresReadiness()
            .AddRedisReadiness(redis)
            .AddCheck<MembershipHealthCheck>("membership", tags: [HealthEndpoints.ReadyTag]);

        builder.UseOrleans(siloBuilder =>
        {
            siloBuilder.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = cluster.ClusterId;
                options.ServiceId = cluster.ServiceId;
            });
            siloBuilder.UseRedisClustering(options => options.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(redis));
            siloBuilder.Configure<ClusterMembershipOptions>(failureDetection.ApplyTo);
            siloBuilder.ConfigureCrybSilo(postgres);
            var advertised = silo.ResolveAdvertisedAddress();
            siloBuilder.ConfigureEndpoints(
                advertised, silo.SiloPort, silo.GatewayPort,
                listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
            siloBuilder.AddCrybDashboard(dashboard.GrainProfilerOn(builder.Environment));
            siloBuilder.AddActivityPropagation();
        });
        return builder;
    }

    /// <summary>The services grains need besides Orleans: the PostgreSQL data source, the message store, timings.</summary>
    public static IServiceCollection AddCrybDataServices(this IServiceCollection services, string postgres)
    {
        var connectionString = SiloConnectionString(postgres);
        services.AddSingleton(_ => CreateDataSource(connectionString));
        services.AddKeyedSingleton(MessageWriter.DataSourceKey, (_, _) => CreateDataSource(connectionString, genericPlans: true));
        services.AddSingleton<StorageGuard>();
        services.AddSingleton<PostgresMessageStore>();
        services.AddSingleton<MessageWriter>();
        services.AddSingleton<IMessageStore, ResilientMessageStore>();
        services.AddSingleton<PostgresGuildStore>();
        services.AddSingleton<IGuildStore, ResilientGuildStore>();
        services.AddSingleton<PostgresRelationshipStore>();
        services.AddSingleton<IRelationshipStore, ResilientRelationshipStore>();
        services.AddSingleton<PostgresNotificationStore>();
        services.AddSingleton<INotificationStore, ResilientNotificationStore>();
        services.AddSingleton<StoredChannels>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SiloMetrics>();
        services.AddSingleton<Schema.SchemaMigrator>();
        services.AddOptions<PresenceOptions>().BindConfiguration(PresenceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TypingOptions>().BindConfiguration(TypingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ServiceAccountOptions>().BindConfiguration(ServiceAccountOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ServiceAccounts>();
        services.AddOptions<LimitOptions>().BindConfiguration(LimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GuildOptions>().BindConfiguration(GuildOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddCrybVoice();
        services.AddCrybPush();
        return services;
    }

    /// <summary>The operator's connection string with our timeouts, pool size and session handling where it sets none: the same for every pool of a silo.</summary>
    private static string SiloConnectionString(string postgres) => PostgresSessionReset.Apply(PostgresPools.Apply(PostgresTimeouts.Apply(postgres)));

    /// <summary>
    /// The silo's PostgreSQL connections, with automatic preparation: a statement text that has run
    /// a few times on a connection is prepared there, so the hot ones (the send batch insert, the
    /// history and catch-up queries) skip parsing. A <c>Max Auto Prepare</c> in the connection string
    /// wins (0 turns it off).
    /// </summary>
    /// <param name="genericPlans">
    /// Plan each prepared statement once (<c>plan_cache_mode=force_generic_plan</c>), for the
    /// <see cref="MessageWriter"/>'s connections. PostgreSQL otherwise plans its insert anew on every
    /// execution: the plan for the batch at hand, which knows the arrays' lengths, always looks
    /// cheaper than the generic one, so it never switches. That planning was a third of PostgreSQL's
    /// CPU for a one-row insert (perf). The generic plan of the insert is the same at any batch size;
    /// for other statements it can be worse (a generic <c>id = ANY($2)</c> read the whole channel),
    /// so only the writer uses it. A <c>plan_cache_mode</c> in the connection string's
    /// <c>Options</c> wins.
    /// </param>
    private static NpgsqlDataSource CreateDataSource(string postgres, bool genericPlans = false)
    {
        var settings = new NpgsqlConnectionStringBuilder(postgres);
        if (!ConnectionStringKeys.Of(postgres).Contains("MAXAUTOPREPARE"))
        {
            settings.MaxAutoPrepare = 32;
        }

        if (genericPlans && settings.Options?.Contains("plan_cache_mode", StringComparison.Ordinal) != true)
        {
            settings.Options = $"{settings.Options} -c plan_cache_mode=force_generic_plan".TrimStart();
        }

        return NpgsqlDataSource.Create(settings);
    }

    /// <summary>
    /// The storage and streams every silo shares, production and test clusters alike. Membership and
    /// endpoints are not here: the in-process test cluster brings its own.
    /// </summary>
    public static ISiloBuilder ConfigureCrybSilo(this ISiloBuilder siloBuilder, string postgres)
    {
        siloBuilder.AddIncomingGrainCallFilter<CallerAuthorizationFilter>();
        siloBuilder.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = GrainCalls.Timeout);
        var connectionString = SiloConnectionString(postgres);
        siloBuilder.AddPostgresGrainStorage(StorageNames.Default, connectionString);
        // Events go from the grain that owns a stream straight to the gateways that subscribe: no
        // queue, no polling, and subscriptions are soft state, so nothing needs a PubSub store.
        siloBuilder.Services.AddCrybPushStreams();
        return siloBuilder;
    }

    /// <summary>
    /// Orleans' ADO.NET grain storage on PostgreSQL, behind <see cref="ResilientGrainStorage"/>: it
    /// replaces the provider's registration under the same name, and takes its place in the silo
    /// lifecycle too (Orleans resolves the participant by that name).
    /// </summary>
    private static void AddPostgresGrainStorage(this ISiloBuilder siloBuilder, string name, string connectionString)
    {
        siloBuilder.AddAdoNetGrainStorage(name, options =>
        {
            options.Invariant = "Npgsql";
            options.ConnectionString = connectionString;
        });
        siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(name, (services, _) => new ResilientGrainStorage(
            AdoNetGrainStorageFactory.Create(services, name), services.GetRequiredService<StorageGuard>()));
    }

    public static WebApplication MapCrybSilo(this WebApplication app)
    {
        app.MapCrybHealth();
        app.MapCrybMetrics();
        // Created now, not at the first grain activation, so /metrics shows the Cryb series at once.
        app.Services.GetRequiredService<SiloMetrics>();
        app.MapCrybDashboard();
        app.MapChannelMigration();
        return app;
    }
}
