using System.Text.Json;
using System.Text.Json.Serialization;
using Cryb.Gateway.Auth;
using Cryb.Gateway.Fanout;
using Cryb.Gateway.Hubs;
using Cryb.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cryb.Gateway.Hosting;

public static class ChatHubExtensions
{
    /// <summary>Maximum size of one incoming SignalR frame; a 4000-character message fits many times over.</summary>
    private const long MaximumReceiveMessageSize = 64 * 1024;

    /// <summary>
    /// The SignalR hub: its transport's buffers, its timeouts, its filters, both protocols, and the
    /// lifetime manager that sends through each connection's bounded outbox.
    /// </summary>
    public static WebApplicationBuilder AddCrybChatHub(this WebApplicationBuilder builder)
    {
        builder.AddCrybTransport();
        var hub = builder.Configuration.BindValidated<ChatHubOptions>(ChatHubOptions.Section);
        builder.Services.AddSingleton(hub);
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
            // MessagePack as an option for clients that ask for it (docs/protocol.md); with its
            // defaults: payloads are maps keyed by the records' property names, enums by their names.
            .AddMessagePackProtocol();
        builder.Services.AddSingleton<ChatErrorFilter>();
        builder.Services.AddSingleton<ConnectAdmissionFilter>();
        builder.Services.AddSingleton<TokenExpiryFilter>();
        builder.Services.AddSingleton<RateLimitFilter>();
        builder.Services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
        // Every send goes through a bounded per-connection outbox: one connection that stops reading
        // delays nobody else, and is closed as a slow consumer (ConnectionOutbox).
        builder.Services.AddOptions<SlowConsumerOptions>().BindConfiguration(SlowConsumerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<BoundedHubLifetimeManager<ChatHub>>();
        builder.Services.AddSingleton<HubLifetimeManager<ChatHub>>(services => services.GetRequiredService<BoundedHubLifetimeManager<ChatHub>>());
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

    /// <summary>The hub at <see cref="ChatHub.Path"/>, open to the browser origins allowed.</summary>
    public static WebApplication MapCrybChatHub(this WebApplication app)
    {
        // SignalR closes a connection whose transport cannot finish one send within TransportSendTimeout
        // (10 s by default), without a word in our logs or metrics. Twice our slow-consumer timeout keeps
        // it as the backstop for a send that never completes, and lets the slow-consumer policy act first.
        var slowConsumer = app.Services.GetRequiredService<IOptions<SlowConsumerOptions>>().Value;
        var transport = app.Services.GetRequiredService<TransportOptions>();
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
                transport.ApplyTo(options);
            })
            .RequireCors(BrowserOriginExtensions.CorsPolicy);
        return app;
    }
}
