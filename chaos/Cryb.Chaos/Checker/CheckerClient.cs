using System.Text.Json;
using System.Text.Json.Serialization;
using Cryb.Bench.Load;
using Cryb.Channels;
using Cryb.Messages;
using Cryb.Presence;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Cryb.Chaos.Checker;

/// <summary>
/// One user on the official .NET SignalR client, behaving as docs/protocol.md "Reconnecting: advice for
/// client authors" asks: when its connection closes it reconnects, to the next gateway, at once
/// and then with growing jittered waits; on every <c>Ready</c> it resumes each channel with
/// <c>JoinChannel(channelId, lastApplied)</c>; it resyncs the same way when a live event shows a gap.
/// </summary>
public sealed class CheckerClient : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The longest wait between reconnect attempts. The advice to clients says 30 s; 2 s keeps a
    /// scenario's phases short while still spreading 40 clients' reconnects over time.
    /// </summary>
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly IReadOnlyList<string> _gateways;
    private readonly string _token;
    private readonly Recorder _recorder;
    private readonly Dictionary<string, ChannelReceiver> _receivers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private volatile HubConnection? _connection;
    private int _gateway;
    private Task _run = Task.CompletedTask;

    public CheckerClient(string userId, string token, IReadOnlyList<string> gateways, int firstGateway, Recorder recorder)
    {
        UserId = userId;
        _token = token;
        _gateways = gateways;
        _gateway = firstGateway;
        _recorder = recorder;
    }

    public string UserId { get; }

    /// <summary>The gateway of the current connection, or null while disconnected.</summary>
    public string? Gateway { get; private set; }

    public IEnumerable<ChannelReceiver> Receivers => _receivers.Values;

    /// <summary>The connection when it is up and every channel has been resumed on it; null otherwise.</summary>
    public HubConnection? Connection => _connection;

    /// <summary>Connects (trying each gateway in turn) and keeps the connection up until disposed.</summary>
    public async Task StartAsync(CancellationToken cancellation)
    {
        var first = await ConnectOnceAsync(cancellation);
        _run = Task.Run(() => KeepConnectedAsync(first));
    }

    /// <summary>Creates a channel as its owner; the caller then <see cref="Track"/>s it.</summary>
    public async Task<ChannelInfo> CreateChannelAsync(string name) =>
        await Connected.InvokeAsync<ChannelInfo>("CreateChannel", name, false);

    /// <summary>Any hub method, on the current connection, with the client's call timeout.</summary>
    public async Task<T> CallAsync<T>(string method, params object?[] arguments)
    {
        using var timeout = new CancellationTokenSource(CallTimeout);
        return await Connected.InvokeCoreAsync<T>(method, arguments, timeout.Token);
    }

    /// <summary>Joins a channel for the first time and starts checking it.</summary>
    public async Task JoinAsync(string channelId, int channel)
    {
        var result = await Connected.InvokeAsync<JoinResult>("JoinChannel", channelId, (long?)null);
        lock (_receivers)
        {
            _receivers[channelId] = new ChannelReceiver(channelId, channel, result.LatestSeq);
        }
    }

    /// <summary>Presence of up to 200 users, as a member of their channel sees it.</summary>
    public async Task<PresenceInfo[]> GetPresenceAsync(IReadOnlyList<string> userIds, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(CallTimeout);
        return await Connected.InvokeAsync<PresenceInfo[]>("GetPresence", userIds.ToArray(), timeout.Token);
    }

    public async Task<ChatMessage> SendAsync(string channelId, string content, string nonce, CancellationToken cancellation)
    {
        var connection = _connection ?? throw new InvalidOperationException("The connection is not active.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(CallTimeout);
        return await connection.InvokeAsync<ChatMessage>("SendMessage", channelId, content, nonce, (string?)null, timeout.Token);
    }

    /// <summary>Waits until the connection is up and resumed, or <paramref name="cancellation"/>.</summary>
    public async Task WaitConnectedAsync(CancellationToken cancellation)
    {
        while (_connection is null)
        {
            await Task.Delay(50, cancellation);
        }
    }

    private HubConnection Connected => _connection ?? throw new InvalidOperationException($"{UserId} is not connected.");

    private async Task KeepConnectedAsync(HubConnection connection)
    {
        var attempt = 0;
        while (!_stop.IsCancellationRequested)
        {
            var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.Closed += _ =>
            {
                closed.TrySetResult();
                return Task.CompletedTask;
            };
            if (connection.State == HubConnectionState.Disconnected)
            {
                closed.TrySetResult();
            }

            await Task.WhenAny(closed.Task, Task.Delay(Timeout.Infinite, _stop.Token)).ConfigureAwait(false);
            _connection = null;
            Gateway = null;
            await connection.DisposeAsync();
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            // Reconnect: at once, then with jittered waits up to MaxBackoff, each time to the next gateway.
            while (!_stop.IsCancellationRequested)
            {
                _gateway++;
                if (attempt > 0)
                {
                    var cap = Math.Min(MaxBackoff.TotalMilliseconds, 100 * Math.Pow(2, attempt));
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * cap), _stop.Token).ConfigureAwait(false);
                }

                attempt++;
                try
                {
                    connection = await ConnectOnceAsync(_stop.Token);
                    _recorder.Current.Reconnected();
                    attempt = 0;
                    break;
                }
                catch (Exception) when (!_stop.IsCancellationRequested)
                {
                    // Gateway down, refusing (503 while draining) or the cluster not answering: try the next.
                }
            }
        }
    }

    /// <summary>One connection: start, wait for Ready, resume every channel; only then is it handed to senders.</summary>
    private async Task<HubConnection> ConnectOnceAsync(CancellationToken cancellation)
    {
        var url = _gateways[_gateway % _gateways.Count];
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = new HubConnectionBuilder()
            .WithUrl($"{url}/hubs/chat", options => options.AccessTokenProvider = () => Task.FromResult<string?>(_token))
            .AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)))
            .Build();
        connection.On<ReadySignal>("Ready", _ => ready.TrySetResult());
        connection.On<DeliveredMessage>("MessageCreated", message => OnLive(connection, message));
        connection.Closed += error =>
        {
            ready.TrySetException(error ?? new IOException("closed before Ready"));
            return Task.CompletedTask;
        };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(CallTimeout);
            lock (_receivers)
            {
                foreach (var receiver in _receivers.Values)
                {
                    lock (receiver)
                    {
                        receiver.NewConnection();
                        receiver.Resyncing = true;
                    }
                }
            }

            await connection.StartAsync(timeout.Token);
            await ready.Task.WaitAsync(timeout.Token);
            foreach (var receiver in Snapshot())
            {
                await ResyncCoreAsync(connection, receiver);
            }

            Gateway = url;
            _connection = connection;
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private void OnLive(HubConnection connection, DeliveredMessage message)
    {
        ChannelReceiver? receiver;
        lock (_receivers)
        {
            _receivers.TryGetValue(message.ChannelId, out receiver);
        }

        if (receiver is null)
        {
            return;
        }

        bool gap;
        lock (receiver)
        {
            gap = receiver.Live(message.Seq, _recorder.Current);
            if (gap)
            {
                receiver.Resyncing = true;
            }
        }

        if (gap)
        {
            _ = Task.Run(() => ResyncAsync(connection, receiver));
        }
    }

    /// <summary>A resync after a live gap; a failure leaves the receiver resyncing until it works or the connection is replaced.</summary>
    private async Task ResyncAsync(HubConnection connection, ChannelReceiver receiver)
    {
        while (!_stop.IsCancellationRequested && ReferenceEquals(connection, _connection))
        {
            try
            {
                await ResyncCoreAsync(connection, receiver);
                return;
            }
            catch (Exception)
            {
                // A refused or timed-out join (a fault in the cluster), or the connection going away
                // (then the next one resumes this channel): try again shortly while it is current.
                await Task.Delay(500);
            }
        }
    }

    /// <summary>
    /// <c>JoinChannel(channelId, lastApplied)</c> until nothing more is missing (a truncated answer
    /// holds the oldest changes; the next call continues after them), then live events apply again.
    /// </summary>
    private static async Task ResyncCoreAsync(HubConnection connection, ChannelReceiver receiver)
    {
        // Bounded: a seq seen live must be stored, so a few rounds always reach it.
        for (var round = 0; round < 20; round++)
        {
            long since;
            lock (receiver)
            {
                receiver.Resyncing = true;
                since = receiver.LastApplied;
            }

            using var timeout = new CancellationTokenSource(CallTimeout);
            var result = await connection.InvokeAsync<JoinResult>("JoinChannel", receiver.ChannelId, since, timeout.Token);
            lock (receiver)
            {
                receiver.ApplyMissed(result.Missed.Where(message => !message.Deleted).Select(message => message.Seq));
                if (!result.Truncated && receiver.HighestSkipped <= receiver.LastApplied)
                {
                    break;
                }
            }
        }

        lock (receiver)
        {
            receiver.Resyncing = false;
        }
    }

    private ChannelReceiver[] Snapshot()
    {
        lock (_receivers)
        {
            return [.. _receivers.Values];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting to reconnect.
        }

        if (_connection is { } connection)
        {
            await connection.DisposeAsync();
        }

        _stop.Dispose();
    }
}
