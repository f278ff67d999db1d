using System.ComponentModel.DataAnnotations;

namespace Cryb.Gateway.Hosting;

/// <summary>
/// The buffers and pings Kestrel, the WebSocket and SignalR keep for each connection (configuration
/// section <c>Gateway:Transport</c>), with the frameworks' defaults (SignalR's where it sets its own).
/// docs/performance.md (Idle connections) has each setting's measured effect on an idle connection's
/// memory: the thresholds below are limits at which a pipe stops taking data, not memory set aside,
/// so an idle connection's cost does not move with them; renting a read buffer before data arrives
/// does (4 KB), and so does the WebSocket's own keep-alive (a timer each).
/// </summary>
public sealed class TransportOptions
{
    public const string Section = "Gateway:Transport";

    private const long Smallest = 4 * 1024;

    private const long Largest = 64 * 1024 * 1024;

    /// <summary>
    /// Kestrel's socket transport rents a read buffer (a 4 KB block of its pool) only once data has
    /// arrived (<c>SocketTransportOptions.WaitForDataBeforeAllocatingBuffer</c>, on by default), so a
    /// connection that waits holds none. Off, every waiting connection holds one.
    /// </summary>
    public bool WaitForDataBeforeAllocatingBuffer { get; set; } = true;

    /// <summary>
    /// Bytes Kestrel reads from a connection ahead of the application before it stops reading
    /// (<c>KestrelServerLimits.MaxRequestBufferSize</c>, 1 MB). Kestrel refuses to start with less
    /// than its limit on a request's headers (<c>MaxRequestHeadersTotalSize</c>, 32 KB).
    /// </summary>
    [Range(32 * 1024, Largest)]
    public long MaxRequestBufferSize { get; set; } = 1024 * 1024;

    /// <summary>Bytes the application may write ahead of the socket before its writes wait (<c>KestrelServerLimits.MaxResponseBufferSize</c>, 64 KB).</summary>
    [Range(Smallest, Largest)]
    public long MaxResponseBufferSize { get; set; } = 64 * 1024;

    /// <summary>
    /// The pause threshold of the outgoing pipe, which the hub writes and the WebSocket sends from
    /// (<c>HttpConnectionDispatcherOptions.TransportMaxBufferSize</c>, 64 KB), whatever its name suggests:
    /// a live connection's pipes, read by reflection, have this one's threshold on the outgoing side. The outbox's
    /// largest coalesced write (<see cref="Fanout.ConnectionOutbox.MaxCoalescedBytes"/>) is sized against 64 KB.
    /// </summary>
    [Range(Smallest, Largest)]
    public long TransportMaxBufferSize { get; set; } = 64 * 1024;

    /// <summary>The pause threshold of the incoming pipe, which the WebSocket fills with what the client sends and the hub reads (<c>HttpConnectionDispatcherOptions.ApplicationMaxBufferSize</c>, 64 KB).</summary>
    [Range(Smallest, Largest)]
    public long ApplicationMaxBufferSize { get; set; } = 64 * 1024;

    /// <summary>
    /// How often the WebSocket itself sends a keep-alive frame (<c>WebSocketOptions.KeepAliveInterval</c>);
    /// zero sends none. SignalR turns it off (ASP.NET Core's default outside SignalR is 2 minutes),
    /// since its own pings (<see cref="ChatHubOptions.KeepAliveInterval"/>) keep the connection and
    /// any proxy on its way alive; any other value gives each WebSocket a timer of its own.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan WebSocketKeepAliveInterval { get; set; } = TimeSpan.Zero;
}
