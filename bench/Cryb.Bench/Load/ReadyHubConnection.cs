using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Cryb.Bench.Load;

/// <summary>
/// A user's connection on the official .NET SignalR client with the JSON protocol, WebSockets only
/// and enums as the gateway writes them (camelCase strings), as a .NET client app connects: what
/// the scenarios that call hub methods beyond messages (servers, friends) build their clients on.
/// <see cref="ConnectAsync"/> returns once <c>Ready</c> has arrived.
/// </summary>
public sealed class ReadyHubConnection : IAsyncDisposable
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ReadyHubConnection(string gatewayUrl, string token)
    {
        Hub = new HubConnectionBuilder()
            .WithUrl($"{gatewayUrl}/hubs/chat", options =>
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                options.SkipNegotiation = true;
                options.Transports = HttpTransportType.WebSockets;
            })
            .AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)))
            .Build();
        Hub.On<JsonElement>("Ready", _ => _ready.TrySetResult());
    }

    /// <summary>The connection, for the event handlers (set before <see cref="ConnectAsync"/>) and the calls.</summary>
    public HubConnection Hub { get; }

    public async Task ConnectAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        await Hub.StartAsync(deadline.Token);
        await _ready.Task.WaitAsync(deadline.Token);
    }

    public ValueTask DisposeAsync() => Hub.DisposeAsync();
}
