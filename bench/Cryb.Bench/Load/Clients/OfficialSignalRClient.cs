using System.Text.Json;
using System.Text.Json.Serialization;
using Cryb.Bench.Measurement;
using Cryb.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Cryb.Bench.Load;

/// <summary>
/// One user's connection on the official .NET SignalR client. Receives <c>MessageCreated</c> into
/// an <see cref="IDeliverySink"/> with its arrival time and the member tracks of its channels;
/// everything else the server pushes is left unread (no handler, so the client skips it).
/// </summary>
public sealed class BenchClient : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile (string ChannelId, DeliveryChecker.Receiver Receiver)[] _tracks = [];
    private volatile IDeliverySink? _sink;
    private volatile bool _stopping;
    private volatile bool _dropped;

    private BenchClient(HubConnection connection, string userId, string gatewayUrl)
    {
        _connection = connection;
        UserId = userId;
        GatewayUrl = gatewayUrl;
        connection.On<ReadySignal>("Ready", _ =>
        {
            ReadyAtMicros = BenchClock.NowMicros;
            _ready.TrySetResult();
        });
        connection.On<DeliveredMessage>("MessageCreated", message => _sink?.Delivered(this, message, BenchClock.NowMicros));
        connection.Closed += error =>
        {
            if (!_stopping)
            {
                _dropped = true;
                foreach (var (_, receiver) in _tracks)
                {
                    DeliveryChecker.Disconnect(receiver);
                }

                _sink?.Dropped(this, error);
            }

            _closed.TrySetResult(error);
            return Task.CompletedTask;
        };
    }

    public string UserId { get; }

    public string GatewayUrl { get; }

    /// <summary>When <c>Ready</c> arrived, on <see cref="BenchClock"/>.</summary>
    public long ReadyAtMicros { get; private set; }

    /// <summary>True once the connection closed without the bench closing it.</summary>
    public bool Dropped => _dropped;

    public static BenchClient Create(string gatewayUrl, string userId, string token, BenchProtocol protocol, bool skipNegotiation)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl($"{gatewayUrl}/hubs/chat", options =>
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                if (skipNegotiation)
                {
                    options.SkipNegotiation = true;
                    options.Transports = HttpTransportType.WebSockets;
                }
            });
        if (protocol == BenchProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }
        else
        {
            // As the gateway writes enums (camelCase strings), for the setup payloads that have them.
            builder.AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        }

        return new BenchClient(builder.Build(), userId, gatewayUrl);
    }

    /// <summary>Opens the connection and waits for <c>Ready</c>; a connection the server closes instead fails with its reason.</summary>
    public async Task ConnectAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        await _connection.StartAsync(deadline.Token);
        var first = await Task.WhenAny(_ready.Task, _closed.Task).WaitAsync(deadline.Token);
        if (first == _closed.Task)
        {
            throw await _closed.Task ?? new IOException($"{UserId}: the server closed the connection before Ready.");
        }
    }

    /// <summary>Where <c>MessageCreated</c> events go from now on.</summary>
    public void Deliver(IDeliverySink sink) => _sink = sink;

    /// <summary>Watches <paramref name="channelId"/> through <paramref name="receiver"/>; call before messages flow.</summary>
    public void Track(string channelId, DeliveryChecker.Receiver receiver) => _tracks = [.. _tracks, (channelId, receiver)];

    /// <summary>The member track of <paramref name="channelId"/>, or null for a channel this client does not watch.</summary>
    public DeliveryChecker.Receiver? ReceiverOf(string channelId)
    {
        foreach (var (id, receiver) in _tracks)
        {
            if (string.Equals(id, channelId, StringComparison.Ordinal))
            {
                return receiver;
            }
        }

        return null;
    }

    public Task<ChannelInfo> CreateChannelAsync(string name, CancellationToken cancellation) =>
        _connection.InvokeAsync<ChannelInfo>("CreateChannel", name, false, cancellation);

    public Task<JoinResult> JoinChannelAsync(string channelId, CancellationToken cancellation) =>
        _connection.InvokeAsync<JoinResult>("JoinChannel", channelId, (long?)null, cancellation);

    /// <summary><c>SendMessage</c>; completes with the stored message's channel and seq once the server acknowledged it.</summary>
    public Task<DeliveredMessage> SendAsync(string channelId, string content, string nonce) =>
        _connection.InvokeAsync<DeliveredMessage>("SendMessage", channelId, content, nonce, (string?)null);

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        await _connection.DisposeAsync();
    }
}
