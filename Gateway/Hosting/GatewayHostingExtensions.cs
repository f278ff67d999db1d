using System.Text.Json;
using System.Text.Json.Serialization;
using Cryb.Gateway.Auth;
using Cryb.Gateway.Fanout;
using Cryb.Gateway.Hubs;
using Cryb.Gateway.Limits;
using Cryb.Gateway.Presence;
using Cryb.Hosting;
using Cryb.Hosting.Health;
using Cryb.Hosting.Telemetry;
using Cryb.Streaming;
using Cryb.Identity;
using Cryb.Limits;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cryb.Gateway.Hosting;

public static class GatewayHostingExtensions
{
    /// <summary>Maximum size of one incoming SignalR frame; a 4000-character message fits many times over.</summary>
    private const long MaximumReceiveMessageSize = 64 * 1024;

    /// <summary>
    /// How long an idle keep-alive HTTP connection is kept (Kestrel's default is 130 s). A client's
    /// negotiate leaves one behind beside its WebSocket, and each costs the gateway about 6 KB: with
    /// the default, 4,200 .NET clients connecting left 1,800 of them open, 2.6 KB per connection
    /// (dotnet-gcdump). 15 s still lets a page reuse its connection for a reconnect's negotiate.
    /// </summary>
    private static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The SignalR hub, its error filter and the stream fan-out to local connections.</summary>
    public static WebApplicationBuilder AddCrybChatHub(this WebApplicationBuilder builder)
    {
        var hub = builder.Configuration.BindValidated<ChatHubOptions>(ChatHubOptions.Section);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.KeepAliveTimeout = KeepAliveTimeout);
        builder.Services.AddSignalR(options =>
            {
                options.MaximumReceiveMessageSize = MaximumReceiveMessageSize;
                options.MaximumParallelInvocationsPerClient = hub.MaximumParallelInvocationsPerClient;
                options.ClientTimeoutInterval = hub.ClientTimeout;
                options.KeepAliveInterval = hub.KeepAliveInterval;
                options.EnableDetailedErrors = false;
                // Filters run in the order added: the error filter wraps the others and logs their
                // refusals; an expired token spends no rate limit.
                options.AddFilter<ChatErrorFilter>();
                options.AddFilter<ConnectAdmissionFilter>();
                options.AddFilter<SiloLossFilter>();
                options.AddFilter<TokenExpiryFilter>();
                options.AddFilter<RateLimitFilter>();
            })
            // Roles travel as "member", "admin", "owner", in both directions.
            .AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)))
            // MessagePack as an option for clients that ask for it (README, "The protocol"); with its
            // defaults: payloads are maps keyed by the records' property names, enums by their names.
            .AddMessagePackProtocol();
        builder.Services.AddSingleton<ChatErrorFilter>();
        builder.Services.AddSingleton(services => new ConnectAdmission(hub, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<ConnectAdmissionFilter>();
        builder.Services.AddSingleton<TokenExpiryFilter>();
        builder.Services.AddSingleton<RateLimitFilter>();
        builder.Services.AddSingleton(services =>
        {
            var cluster = services.GetRequiredService<IClusterClient>();
            return new RateLimitLeases(userId => cluster.GetGrain<IRateLimitGrain>(userId), services.GetRequiredService<ServiceCredential>(), services.GetRequiredService<ClusterConnectionChanges>(), services.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<ChatFanout>();
        builder.Services.AddSingleton<PresenceBatches>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PresenceBatches>());
        builder.Services.AddSingleton<GatewayIdentity>();
        builder.Services.AddSingleton<GatewayMetrics>();
        // The fan-out reports deliveries to the metrics, which observe the fan-out's subscriptions.
        builder.Services.AddSingleton(services => new Lazy<ChatFanout>(services.GetRequiredService<ChatFanout>));
        builder.Services.AddSingleton<PresenceRegistrations>();
        builder.Services.AddHostedService<PresenceHeartbeat>();
        builder.Services.AddHostedService<PresenceRecovery>();
        // Subscriptions the cluster dropped (a silo restart while this gateway reconnected) are made
        // again, and events lost with a silo are fetched, without any client reconnecting.
        builder.Services.AddOptions<SubscriptionHealthOptions>().BindConfiguration(SubscriptionHealthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<SubscriptionHealth>();
        builder.Services.AddHostedService<ClusterMembershipWatcher>();
        var faults = builder.Configuration.BindValidated<FanoutFaultOptions>(FanoutFaultOptions.Section);
        if (faults.Any && builder.Environment.IsProduction())
        {
            throw new InvalidOperationException(
                "Faults:DropMessageSeqs loses pushes on purpose, for tests and drills; it is refused in Production (environment variable Faults__DropMessageSeqs__0).");
        }

        builder.Services.AddOptions<FanoutFaultOptions>().BindConfiguration(FanoutFaultOptions.Section);
        // Each check renews every subscription; a lease of three checks survives a late or failed one.
        builder.Services.AddOptions<PushStreamOptions>().Configure<IOptions<SubscriptionHealthOptions>>(
            (streams, health) => streams.Lease = 3 * health.Value.CheckInterval);
        // SIGTERM: readiness false, new connections refused, open ones told to reconnect elsewhere.
        builder.Services.AddSingleton<GatewayDrain>();
        builder.Services.AddHostedService(services => services.GetRequiredService<GatewayDrain>());
        builder.Services.AddHealthChecks().AddCheck<GatewayDrain>("draining", tags: [HealthEndpoints.ReadyTag]);
        // Every send goes through a bounded per-connection outbox: one connection that stops reading
        // delays nobody else, and is closed as a slow consumer (ConnectionOutbox).
        builder.Services.AddOptions<SlowConsumerOptions>().BindConfiguration(SlowConsumerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<HubLifetimeManager<ChatHub>, BoundedHubLifetimeManager<ChatHub>>();
        // Both protocols, each counting the frames it cannot dispatch (unknown methods, bad arguments,
        // malformed frames). A connection speaks the one it chose at its handshake; the lifetime
        // manager serializes each event once per protocol in use, however many connections get it.
        builder.Services.RemoveAll<IHubProtocol>();
        builder.Services.AddSingleton<IHubProtocol>(services => new ProtocolErrorCountingHubProtocol(
            new JsonHubProtocol(services.GetRequiredService<IOptions<JsonHubProtocolOptions>>()), services.GetRequiredService<GatewayMetrics>()));
        builder.Services.AddSingleton<IHubProtocol>(services => new ProtocolErrorCountingHubProtocol(
            new MessagePackHubProtocol(services.GetRequiredService<IOptions<MessagePackHubProtocolOptions>>()), services.GetRequiredService<GatewayMetrics>()));
        return builder;
    }

    /// <summary>While the gateway stops, a new hub connection gets 503: the client's retry finds another gateway.</summary>
    private static void UseHubDrain(this WebApplication app)
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
    }

    public static WebApplication MapCrybGateway(this WebApplication app)
    {
        // The web client's files first: public, and answered before any authentication runs.
        app.UseCrybWebClient();
        app.UseCrybBrowserOrigins();
        app.UseHubDrain();
        // Before the token is checked: a connect refused for load costs as little as it can.
        app.UseConnectAdmission();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapCrybHealth();
        app.MapCrybMetrics();
        // Created now, not at the first connection or refusal, so /metrics shows their series at once.
        app.Services.GetRequiredService<GatewayMetrics>();
        app.Services.GetRequiredService<AuthenticationAudit>();
        // SignalR closes a connection whose transport cannot finish one send within TransportSendTimeout
        // (10 s by default), without a word in our logs or metrics. Twice our slow-consumer timeout keeps
        // it as the backstop for a send that never completes, and lets the slow-consumer policy act first.
        var slowConsumer = app.Services.GetRequiredService<IOptions<SlowConsumerOptions>>().Value;
        app.MapHub<ChatHub>(ChatHub.Path, options =>
            {
                // A connection whose token expires is closed (within SignalR's one-second scan), so a
                // revoked user cannot keep listening on a connection opened before the token ran out.
                options.CloseOnAuthenticationExpiration = true;
                options.TransportSendTimeout = 2 * slowConsumer.Timeout;
                // Stateful reconnect keeps every written message to send again after a reconnect; the
                // outboxes return coalesced write buffers to a pool once written (ConnectionOutbox), and
                // clients resume with JoinChannel(channelId, sinceSeq) instead.
                options.AllowStatefulReconnects = false;
            })
            .RequireCors(BrowserOriginExtensions.CorsPolicy);
        app.MapDevTokens();
        return app;
    }
}
