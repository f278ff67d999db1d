using System.ComponentModel.DataAnnotations;

namespace Cryb.Gateway.Hosting;

/// <summary>How the hub runs each connection's calls and finds dead ones (configuration section <c>Gateway:Hub</c>).</summary>
public sealed class ChatHubOptions : IValidatableObject
{
    public const string Section = "Gateway:Hub";

    /// <summary>
    /// Hub calls one connection may have running at once (SignalR's
    /// <c>MaximumParallelInvocationsPerClient</c>); further frames of that connection wait unread.
    /// 1 keeps a connection's calls in the order it sent them, which clients rely on (a send right
    /// after a join, an edit right after its send), and a client that pipelines calls still gets
    /// their answers in order. Raising it lets one connection's slow call (a history page) stop
    /// holding up its next ones, at the cost of that order; the per-user rate limits still apply.
    /// </summary>
    [Range(1, 64)]
    public int MaximumParallelInvocationsPerClient { get; set; } = 1;

    /// <summary>
    /// A connection that sent nothing for this long is closed (SignalR's <c>ClientTimeoutInterval</c>,
    /// 30 s by default): a client whose network vanished without a close (a phone in a tunnel, a
    /// pulled cable) stops holding a connection and shows offline. 20 s plus presence's 5 s grace
    /// shows it offline within 30 s. Clients ping every 15 s by default (the official clients) and
    /// ours every 10 s: two of our pings fit in it, one of the default's with 5 s to spare.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:10:00")]
    public TimeSpan ClientTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How often the gateway pings an otherwise silent connection (SignalR's <c>KeepAliveInterval</c>,
    /// 15 s by default), so clients (which give up after 30 s of silence) and proxies see it alive.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Connections being set up at once (from their WebSocket request to their <c>Ready</c>); the
    /// rest are refused with 503 <c>try_again</c> and a retry time before any work for them
    /// (<see cref="ConnectAdmission"/>). When a gateway dies, its clients all come back at once to
    /// the others: a limit keeps each connect quick and the silos' queues short, and the refused
    /// retry later instead of timing out in a queue and retrying anyway. A gateway that keeps up
    /// sets a connection up in milliseconds; 1,000 at once means it is seconds behind. Lower, the
    /// limit refused connects a saturated gateway would still have served within the client's
    /// timeout: at 256, the connect bench's 1,000 connects/s went through at 418/s instead of 818/s.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConnectsInFlight { get; set; } = 1000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The official clients stop waiting after 30 s without a frame from the server.
        if (KeepAliveInterval >= TimeSpan.FromSeconds(15))
        {
            yield return new ValidationResult(
                "must be under 15 s, half the official clients' 30 s server timeout, or idle connections are closed by the clients",
                [nameof(KeepAliveInterval)]);
        }
    }
}
