using System.Text.Json;
using System.Text.Json.Serialization;
using Cryb.Bench.Measurement;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Cryb.Bench.Load.Friends;

/// <summary>
/// One user's connection for the relationship and presence methods, on the official .NET SignalR
/// client with the JSON protocol, as a client app would call them (the same shape as
/// <see cref="Guilds.GuildClient"/>). Payloads are read into small records holding only the fields
/// the scenario checks.
/// </summary>
public sealed class FriendClient : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FriendClient(string gatewayUrl, string userId, string token)
    {
        UserId = userId;
        _connection = new HubConnectionBuilder()
            .WithUrl($"{gatewayUrl}/hubs/chat", options =>
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                options.SkipNegotiation = true;
                options.Transports = HttpTransportType.WebSockets;
            })
            .AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)))
            .Build();
        _connection.On<JsonElement>("Ready", _ => _ready.TrySetResult());
    }

    public string UserId { get; }

    /// <summary>
    /// Hears every <c>PresenceUpdated</c> frame this connection receives, with its arrival time on
    /// <see cref="BenchClock"/>, on the connection's receive loop (one frame at a time, in the order
    /// sent). Set before <see cref="ConnectAsync"/>.
    /// </summary>
    public void OnPresence(Action<PresenceSeen[], long> handler) =>
        _connection.On<PresenceSeen[]>("PresenceUpdated", frame => handler(frame, BenchClock.NowMicros));

    public async Task ConnectAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        await _connection.StartAsync(deadline.Token);
        await _ready.Task.WaitAsync(deadline.Token);
    }

    /// <summary><c>SendFriendRequest(userId)</c>: the relationship's kind as the caller now sees it.</summary>
    public async Task<string> SendFriendRequestAsync(string userId, CancellationToken cancellation) =>
        (await _connection.InvokeAsync<RelationshipAnswer>("SendFriendRequest", userId, cancellation)).Kind;

    /// <summary><c>AcceptFriendRequest(userId)</c>: the relationship's kind, <c>friend</c>.</summary>
    public async Task<string> AcceptFriendRequestAsync(string userId, CancellationToken cancellation) =>
        (await _connection.InvokeAsync<RelationshipAnswer>("AcceptFriendRequest", userId, cancellation)).Kind;

    /// <summary><c>BlockUser(userId)</c>: the relationship's kind, <c>blocked</c>.</summary>
    public async Task<string> BlockUserAsync(string userId, CancellationToken cancellation) =>
        (await _connection.InvokeAsync<RelationshipAnswer>("BlockUser", userId, cancellation)).Kind;

    /// <summary><c>SetPresence(status, null)</c>: the status as others now see it.</summary>
    public async Task<string> SetPresenceAsync(string status, CancellationToken cancellation) =>
        (await _connection.InvokeAsync<PresenceSeen>("SetPresence", status, (object?)null, cancellation)).Status;

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private sealed record RelationshipAnswer(string UserId, string Kind);
}
