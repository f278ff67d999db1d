using Cryb.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Cryb.Gateway.Hosting;

/// <summary>Kestrel's keep-alive timeout, and <see cref="TransportOptions"/> applied to Kestrel, its socket transport, the WebSocket middleware SignalR accepts through, and the hub's endpoint.</summary>
public static class TransportExtensions
{
    /// <summary>
    /// How long an idle keep-alive HTTP connection is kept (Kestrel's default is 130 s). A client's
    /// negotiate leaves one behind beside its WebSocket, and each costs the gateway about 6 KB: with
    /// the default, 4,200 .NET clients connecting left 1,800 of them open, 2.6 KB per connection
    /// (dotnet-gcdump). 15 s still lets a page reuse its connection for a reconnect's negotiate.
    /// </summary>
    private static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(15);

    public static WebApplicationBuilder AddCrybTransport(this WebApplicationBuilder builder)
    {
        var transport = builder.Configuration.BindValidated<TransportOptions>(TransportOptions.Section);
        builder.Services.AddSingleton(transport);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.KeepAliveTimeout = KeepAliveTimeout;
            kestrel.Limits.MaxRequestBufferSize = transport.MaxRequestBufferSize;
            kestrel.Limits.MaxResponseBufferSize = transport.MaxResponseBufferSize;
        });
        builder.Services.Configure<SocketTransportOptions>(sockets => sockets.WaitForDataBeforeAllocatingBuffer = transport.WaitForDataBeforeAllocatingBuffer);
        // SignalR's endpoint accepts WebSockets through the WebSocket middleware, which reads these
        // options; AddSignalR sets their interval to zero, so ours comes after whatever it configures.
        builder.Services.PostConfigure<Microsoft.AspNetCore.Builder.WebSocketOptions>(webSockets => webSockets.KeepAliveInterval = transport.WebSocketKeepAliveInterval);
        return builder;
    }

    /// <summary>The two pipes SignalR puts between the WebSocket and the hub, for <c>MapHub</c>.</summary>
    public static void ApplyTo(this TransportOptions transport, HttpConnectionDispatcherOptions connections)
    {
        connections.TransportMaxBufferSize = transport.TransportMaxBufferSize;
        connections.ApplicationMaxBufferSize = transport.ApplicationMaxBufferSize;
    }
}
