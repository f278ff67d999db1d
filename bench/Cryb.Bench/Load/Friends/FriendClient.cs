using Cryb.Bench.Measurement;
using Microsoft.AspNetCore.SignalR.Client;

namespace Cryb.Bench.Load.Friends;

/// <summary>
/// One user's connection for the relationship and presence methods, on the official .NET SignalR
/// client with the JSON protocol (<see cref="ReadyHubConnection"/>, as <see cref="Guilds.GuildClient"/>),
/// as a client app would call them. Payloads are read into small records holding only the fields
/// the scenario checks.
/// </summary>
public sealed class FriendClient : IAsyncDisposable
{
    private readonly ReadyHubConnection _connection;

    public FriendClient(string gatewayUrl, string userId, string token)
    {
        UserId = userId;
        _connection = new ReadyHubConnection(gatewayUrl, token);
    }

    public string UserId { get; }

    /// <summary>
    /// Hears every <c>PresenceUpdated</c> frame this connection receives, with its arrival time on
    /// <see cref="BenchClock"/>, on the connection's receive loop (one frame at a time, in the order
    /// sent). Set before <see cref="ConnectAsync"/>.
    /// </summary>
    public void OnPresence(Action<PresenceSeen[], long> handler) =>
        _connection.Hub.On<PresenceSeen[]>("PresenceUpdated", frame => handler(frame, BenchClock.NowMicros));

    public Task ConnectAsync(TimeSpan timeout, CancellationToken cancellation) => _connection.ConnectAsync(timeout, cancellation);

    /// <summary><c>SendFriendRequest(userId)</c>: the relationship's kind as the caller now sees it.</summary>
    public async Task<string> SendFriendRequestAsync(string userId, CancellationToken cancellation) =>
        (await _connection.Hub.InvokeAsync<RelationshipAnswer>("SendFriendRequest", userId, cancellation)).Kind;

    /// <summary><c>AcceptFriendRequest(userId)</c>: the relationship's kind, <c>friend</c>.</summary>
    public async Task<string> AcceptFriendRequestAsync(string userId, CancellationToken cancellation) =>
        (await _connection.Hub.InvokeAsync<RelationshipAnswer>("AcceptFriendRequest", userId, cancellation)).Kind;

    /// <summary><c>BlockUser(userId)</c>: the relationship's kind, <c>blocked</c>.</summary>
    public async Task<string> BlockUserAsync(string userId, CancellationToken cancellation) =>
        (await _connection.Hub.InvokeAsync<RelationshipAnswer>("BlockUser", userId, cancellation)).Kind;

    /// <summary><c>SetPresence(status, null)</c>: the status as others now see it.</summary>
    public async Task<string> SetPresenceAsync(string status, CancellationToken cancellation) =>
        (await _connection.Hub.InvokeAsync<PresenceSeen>("SetPresence", status, (object?)null, cancellation)).Status;

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private sealed record RelationshipAnswer(string UserId, string Kind);
}
