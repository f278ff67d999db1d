using System.Text.Json;
using System.Text.Json.Serialization;
using Cryb.Bench.Measurement;
using Cryb.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Cryb.Bench.Load.Clients;

/// <summary>
/// A connection on the official .NET SignalR client (<c>--client official</c>), like any client
/// app: kept to cross-check the lean client's figures. It deserializes each event into a
/// <see cref="DeliveredMessage"/>, which costs an allocation or three per delivery.
/// </summary>
public sealed class OfficialSignalRClient : BenchClient
{
    private readonly HubConnection _connection;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    public OfficialSignalRClient(string gatewayUrl, string userId, string token, BenchProtocol protocol, bool skipNegotiation)
        : base(userId, gatewayUrl)
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

        _connection = builder.Build();
        _connection.On<ReadySignal>("Ready", _ =>
        {
            ReadyAtMicros = BenchClock.NowMicros;
            _ready.TrySetResult();
        });
        _connection.On<DeliveredMessage>("MessageCreated", message =>
            OnDelivered(ReceiverOf(message.ChannelId), message.Seq, MessageStamp.IntendedMicros(message.Content), BenchClock.NowMicros));
        _connection.Closed += error =>
        {
            OnClosed(error, _stopping);
            _closed.TrySetResult(error);
            return Task.CompletedTask;
        };
    }

    public override async Task ConnectAsync(TimeSpan timeout, CancellationToken cancellation)
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

    public override async Task<string> CreateChannelAsync(string name, CancellationToken cancellation) =>
        (await _connection.InvokeAsync<ChannelInfo>("CreateChannel", name, false, cancellation)).Id;

    public override Task JoinChannelAsync(string channelId, CancellationToken cancellation) =>
        _connection.InvokeAsync<JoinResult>("JoinChannel", channelId, (long?)null, cancellation);

    public override async Task<ResumeAnswer> ResumeChannelAsync(string channelId, long sinceSeq, CancellationToken cancellation)
    {
        var result = await _connection.InvokeAsync<JoinResult>("JoinChannel", channelId, (long?)sinceSeq, cancellation);
        return new ResumeAnswer(result.LatestSeq, result.Missed.Select(message => message.Seq).ToArray(), result.Truncated);
    }

    public override async Task<long> SendAsync(string channelId, string content, string nonce) =>
        (await _connection.InvokeAsync<DeliveredMessage>("SendMessage", channelId, content, nonce, (string?)null)).Seq;

    public override async ValueTask DisposeAsync()
    {
        _stopping = true;
        await _connection.DisposeAsync();
    }
}
