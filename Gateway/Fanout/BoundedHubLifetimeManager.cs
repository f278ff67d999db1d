using System.Collections.Concurrent;
using Cryb.Errors;
using Cryb.Gateway.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Cryb.Gateway.Fanout;

/// <summary>
/// SignalR's in-memory lifetime manager (connections and sends), except that a send never waits
/// on a connection: each message is serialized once and queued in every recipient's bounded
/// <see cref="ConnectionOutbox"/>, which writes it in order. A connection that falls behind by more
/// than <see cref="SlowConsumerOptions.MaxBufferBytes"/>, or whose transport takes nothing for
/// <see cref="SlowConsumerOptions.Timeout"/>, is closed as a slow consumer.
/// </summary>
/// <remarks>
/// <see cref="DefaultHubLifetimeManager{THub}"/> returns a task that completes when every recipient's
/// transport has taken the message, so the fan-out (which awaits it to keep events in order) ran at
/// the pace of the slowest connection on the gateway. Replacing the lifetime manager, rather than
/// sending per connection from <see cref="ChatFanout"/>, keeps every send path (a channel's
/// connections, a user's, <c>Clients.Caller</c> in the hub) behind the same bound, and keeps one
/// serialization per send to many. Client results (<c>InvokeAsync</c> to a client) are not supported: the protocol has none.
/// Nor are SignalR groups: which connection is in which channel is recorded once, in
/// <see cref="ConnectionRegistry"/>, and <see cref="ChatFanout"/> sends to the connections it lists.
/// </remarks>
public sealed partial class BoundedHubLifetimeManager<THub> : HubLifetimeManager<THub> where THub : Hub
{
    private readonly ConcurrentDictionary<string, ConnectionOutbox> _connections = new(StringComparer.Ordinal);
    private readonly SlowConsumerOptions _options;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;

    public BoundedHubLifetimeManager(IOptions<SlowConsumerOptions> options, TimeProvider time, GatewayMetrics metrics, ILogger<BoundedHubLifetimeManager<THub>> logger)
    {
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections[connection.ConnectionId] = new ConnectionOutbox(connection, _options, _time, OnSlowConsumer, _metrics.Coalesced);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (_connections.TryRemove(connection.ConnectionId, out var outbox))
        {
            outbox.Close();
        }

        return Task.CompletedTask;
    }

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        throw GroupsNotSupported();

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        throw GroupsNotSupported();

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Send(_connections.Values, methodName, args);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        Send(_connections.Values.Where(outbox => !excludedConnectionIds.Contains(outbox.Connection.ConnectionId)), methodName, args);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Send(Outboxes([connectionId]), methodName, args);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Send(Outboxes(connectionIds), methodName, args);

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        throw GroupsNotSupported();

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        throw GroupsNotSupported();

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        throw GroupsNotSupported();

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Send(_connections.Values.Where(outbox => outbox.Connection.UserIdentifier == userId), methodName, args);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        Send(_connections.Values.Where(outbox => outbox.Connection.UserIdentifier is { } user && userIds.Contains(user)), methodName, args);

    /// <summary>
    /// Queues already made messages for one connection, in order and together: one write when its
    /// outbox is idle (<see cref="ConnectionOutbox.Enqueue"/>). Nothing if the connection is gone.
    /// </summary>
    public void SendTogether(string connectionId, params ReadOnlySpan<SerializedHubMessage> messages)
    {
        if (_connections.TryGetValue(connectionId, out var outbox))
        {
            outbox.Enqueue(messages);
        }
    }

    /// <summary>Completes once the connection's outbox has written everything queued so far (at once if it is gone).</summary>
    public Task WhenDrainedAsync(string connectionId) =>
        _connections.TryGetValue(connectionId, out var outbox) ? outbox.WhenDrainedAsync() : Task.CompletedTask;

    /// <summary>
    /// Queues a close with <paramref name="error"/> for every connection, after the events already
    /// queued for it: the client reads the reason, closes, and may reconnect (<c>allowReconnect</c>).
    /// </summary>
    public void CloseAll(string error)
    {
        var close = new SerializedHubMessage(new CloseMessage(error, allowReconnect: true));
        foreach (var outbox in _connections.Values)
        {
            outbox.Enqueue(close);
        }
    }

    /// <summary>Queues one shared serialization in each outbox; complete as soon as it is queued.</summary>
    private static Task Send(IEnumerable<ConnectionOutbox> recipients, string methodName, object?[] args)
    {
        SerializedHubMessage? message = null;
        foreach (var outbox in recipients)
        {
            message ??= new SerializedHubMessage(new InvocationMessage(methodName, args));
            outbox.Enqueue(message);
        }

        return Task.CompletedTask;
    }

    private IEnumerable<ConnectionOutbox> Outboxes(IReadOnlyList<string> connectionIds)
    {
        foreach (var connectionId in connectionIds)
        {
            if (_connections.TryGetValue(connectionId, out var outbox))
            {
                yield return outbox;
            }
        }
    }

    /// <summary>A second record of membership, updated apart from the first, is what could go stale.</summary>
    private static NotSupportedException GroupsNotSupported() =>
        new($"SignalR groups are not kept: channel membership is recorded in {nameof(ConnectionRegistry)}; send to the connections it lists.");

    private void OnSlowConsumer(ConnectionOutbox outbox, SlowConsumerTrigger trigger)
    {
        var connection = outbox.Connection;
        LogSlowConsumer(ErrorCodes.SlowConsumer, connection.ConnectionId, connection.UserIdentifier, trigger, _options.MaxBufferBytes, _options.Timeout);
        _metrics.SlowConsumerDisconnected(trigger);

        // The client reads nothing, so no close message or close frame can reach it: reset the
        // transport (its stalled socket write fails at once, and the client sees the connection drop
        // and reconnects), then end the SignalR connection, which releases the pending write.
        try
        {
            connection.GetHttpContext()?.Abort();
        }
        catch (Exception ex)
        {
            // Best effort: the request may have ended already (the connection is closing anyway), and
            // the SignalR-level abort below ends the connection whatever the transport.
            _logger.LogDebug(ex, "Resetting the transport of {ConnectionId} failed", connection.ConnectionId);
        }

        connection.Abort();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed connection {ConnectionId} of {UserId} as {Code}: {Trigger} (buffer {MaxBufferBytes} bytes, timeout {Timeout})")]
    private partial void LogSlowConsumer(string code, string connectionId, string? userId, SlowConsumerTrigger trigger, int maxBufferBytes, TimeSpan timeout);
}
