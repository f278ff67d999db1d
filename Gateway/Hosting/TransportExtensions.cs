using Cryb.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Cryb.Gateway.Hosting;

/// <summary>Applies <see cref="TransportOptions"/> to Kestrel, its socket transport, the WebSocket middleware SignalR accepts through, and the hub's endpoint.</summary>
public static class TransportExtensions
{
    public static WebApplicationBuilder AddCrybTransport(this WebApplicationBuilder builder)
    {
        var transport = builder.Configuration.BindValidated<TransportOptions>(TransportOptions.Section);
        builder.Services.AddSingleton(transport);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
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
