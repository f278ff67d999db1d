using Cryb.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WebSocketMiddlewareOptions = Microsoft.AspNetCore.Builder.WebSocketOptions;

namespace Cryb.Tests.Hosting;

/// <summary>
/// The transport's buffers and pings (<c>Gateway__Transport__*</c>): the frameworks' defaults unless
/// configured, each setting reaching the framework object that reads it, and nonsense refused at start.
/// </summary>
public sealed class TransportOptionsTests
{
    [Fact]
    public async Task Unconfigured_the_gateway_keeps_the_frameworks_defaults()
    {
        var options = new TransportOptions();
        var signalR = WebApplication.CreateSlimBuilder();
        signalR.Services.AddSignalR();
        await using var signalROnly = signalR.Build();

        Assert.Equal(new SocketTransportOptions().WaitForDataBeforeAllocatingBuffer, options.WaitForDataBeforeAllocatingBuffer);
        Assert.Equal(new KestrelServerLimits().MaxRequestBufferSize, options.MaxRequestBufferSize);
        Assert.Equal(new KestrelServerLimits().MaxResponseBufferSize, options.MaxResponseBufferSize);
        Assert.Equal(new HttpConnectionDispatcherOptions().TransportMaxBufferSize, options.TransportMaxBufferSize);
        Assert.Equal(new HttpConnectionDispatcherOptions().ApplicationMaxBufferSize, options.ApplicationMaxBufferSize);
        // As SignalR leaves the WebSocket's keep-alive: off, its own pings doing that work.
        Assert.Equal(signalROnly.Services.GetRequiredService<IOptions<WebSocketMiddlewareOptions>>().Value.KeepAliveInterval, options.WebSocketKeepAliveInterval);
    }

    [Fact]
    public async Task Each_setting_reaches_the_framework_object_that_reads_it()
    {
        await using var app = Build(new()
        {
            ["Gateway:Transport:WaitForDataBeforeAllocatingBuffer"] = "false",
            ["Gateway:Transport:MaxRequestBufferSize"] = "32768",
            ["Gateway:Transport:MaxResponseBufferSize"] = "16384",
            ["Gateway:Transport:TransportMaxBufferSize"] = "32768",
            ["Gateway:Transport:ApplicationMaxBufferSize"] = "65536",
            ["Gateway:Transport:WebSocketKeepAliveInterval"] = "00:00:30",
        });
        var connections = new HttpConnectionDispatcherOptions();
        app.Services.GetRequiredService<TransportOptions>().ApplyTo(connections);

        Assert.False(app.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.WaitForDataBeforeAllocatingBuffer);
        var limits = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        Assert.Equal((32768L, 16384L), (limits.MaxRequestBufferSize!.Value, limits.MaxResponseBufferSize!.Value));
        Assert.Equal((32768L, 65536L), (connections.TransportMaxBufferSize, connections.ApplicationMaxBufferSize));
        // SignalR's own setup (it turns the keep-alive off) does not override the setting.
        Assert.Equal(TimeSpan.FromSeconds(30), app.Services.GetRequiredService<IOptions<WebSocketMiddlewareOptions>>().Value.KeepAliveInterval);

        // Kestrel checks its limits against each other only when it starts: the smallest request buffer allowed must pass.
        app.Urls.Add("http://127.0.0.1:0");
        await app.StartAsync(TestContext.Current.CancellationToken);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("MaxRequestBufferSize", "16384")]
    [InlineData("MaxResponseBufferSize", "0")]
    [InlineData("TransportMaxBufferSize", "-1")]
    [InlineData("ApplicationMaxBufferSize", "1073741824")]
    [InlineData("WebSocketKeepAliveInterval", "-00:00:01")]
    public void A_value_out_of_range_is_refused_at_start_naming_the_setting(string name, string value)
    {
        var refusal = Assert.Throws<OptionsValidationException>(() => Build(new() { [$"Gateway:Transport:{name}"] = value }));

        Assert.Contains($"Invalid setting Gateway:Transport:{name}", refusal.Message);
    }

    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddCrybTransport();
        // After the transport's settings, as in the gateway (AddCrybChatHub).
        builder.Services.AddSignalR();
        return builder.Build();
    }
}
