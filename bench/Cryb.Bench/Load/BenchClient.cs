using System.Text;
using Cryb.Bench.Load.Clients;
using Cryb.Bench.Measurement;

namespace Cryb.Bench.Load;

/// <summary>
/// One user's connection to the system under test, whatever its wire protocol: the official .NET
/// SignalR client, the lean SignalR client, or the Socket.IO client (<see cref="Create"/> picks).
/// It hands each <c>MessageCreated</c> of a channel it watches to an <see cref="IDeliverySink"/>
/// with its arrival time; everything else the server pushes is skipped.
/// </summary>
public abstract class BenchClient(string userId, string gatewayUrl) : IAsyncDisposable
{
    private volatile Watched[] _tracks = [];
    private volatile IDeliverySink? _sink;
    private volatile bool _dropped;

    public string UserId { get; } = userId;

    public string GatewayUrl { get; } = gatewayUrl;

    /// <summary>When the connection was ready for calls (<c>Ready</c>, or Socket.IO's connect acknowledgement), on <see cref="BenchClock"/>.</summary>
    public long ReadyAtMicros { get; protected set; }

    /// <summary>The size of the <c>Ready</c> frame as it came over the wire (the lean client's; 0 for the others).</summary>
    public int ReadyBytes { get; protected set; }

    /// <summary>True once the connection closed without the bench closing it.</summary>
    public bool Dropped => _dropped;

    /// <summary>The client <paramref name="context"/> asks for, for <paramref name="userId"/> on <paramref name="gatewayUrl"/>.</summary>
    public static BenchClient Create(BenchContext context, string gatewayUrl, string userId, string token) => (context.System, context.Client) switch
    {
        (BenchSystem.Socketio, _) => new SocketIoClient(gatewayUrl, userId, token),
        (_, BenchClientKind.Official) => new OfficialSignalRClient(gatewayUrl, userId, token, context.Protocol, context.SkipNegotiation),
        _ => new LeanSignalRClient(gatewayUrl, userId, token),
    };

    /// <summary>Opens the connection and waits until it is ready; a connection the server closes instead fails with its reason.</summary>
    public abstract Task ConnectAsync(TimeSpan timeout, CancellationToken cancellation);

    /// <summary>Creates a public channel; returns its id.</summary>
    public abstract Task<string> CreateChannelAsync(string name, CancellationToken cancellation);

    public abstract Task JoinChannelAsync(string channelId, CancellationToken cancellation);

    /// <summary>
    /// <c>JoinChannel(channelId, sinceSeq)</c> of a member coming back: the channel's latest seq and
    /// the seqs of the messages after <paramref name="sinceSeq"/> it missed.
    /// </summary>
    public abstract Task<ResumeAnswer> ResumeChannelAsync(string channelId, long sinceSeq, CancellationToken cancellation);

    /// <summary><c>SendMessage</c>; completes with the stored message's seq once the server acknowledged it.</summary>
    public abstract Task<long> SendAsync(string channelId, string content, string nonce);

    public abstract ValueTask DisposeAsync();

    /// <summary>Where <c>MessageCreated</c> events go from now on.</summary>
    public void Deliver(IDeliverySink sink) => _sink = sink;

    /// <summary>Watches <paramref name="channelId"/> through <paramref name="receiver"/>; call before messages flow.</summary>
    public void Track(string channelId, DeliveryChecker.Receiver receiver) =>
        _tracks = [.. _tracks, new Watched(channelId, Encoding.UTF8.GetBytes(channelId), receiver)];

    /// <summary>The member track of <paramref name="channelId"/>, or null for a channel this client does not watch.</summary>
    public DeliveryChecker.Receiver? ReceiverOf(string channelId)
    {
        foreach (var track in _tracks)
        {
            if (string.Equals(track.ChannelId, channelId, StringComparison.Ordinal))
            {
                return track.Receiver;
            }
        }

        return null;
    }

    /// <summary>As <see cref="ReceiverOf(string)"/>, for the UTF-8 bytes of a channel id: no string is made.</summary>
    public DeliveryChecker.Receiver? ReceiverOf(ReadOnlySpan<byte> utf8ChannelId)
    {
        foreach (var track in _tracks)
        {
            if (utf8ChannelId.SequenceEqual(track.Utf8ChannelId))
            {
                return track.Receiver;
            }
        }

        return null;
    }

    /// <summary>A <c>MessageCreated</c> arrived at <paramref name="arrivalMicros"/>.</summary>
    protected void OnDelivered(DeliveryChecker.Receiver? receiver, long seq, long intendedMicros, long arrivalMicros) =>
        _sink?.Delivered(receiver, seq, intendedMicros, arrivalMicros);

    /// <summary>The connection closed; unless <paramref name="stopping"/>, that is a drop: its tracks stop expecting messages.</summary>
    protected void OnClosed(Exception? error, bool stopping)
    {
        if (stopping || _dropped)
        {
            return;
        }

        _dropped = true;
        foreach (var track in _tracks)
        {
            DeliveryChecker.Disconnect(track.Receiver);
        }

        _sink?.Dropped(this, error);
    }

    private sealed record Watched(string ChannelId, byte[] Utf8ChannelId, DeliveryChecker.Receiver Receiver);
}

/// <summary>What a resuming <c>JoinChannel</c> answered: the seqs of <c>missed</c>, and whether there were more (<c>truncated</c>).</summary>
public sealed record ResumeAnswer(long LatestSeq, IReadOnlyList<long> Missed, bool Truncated);
