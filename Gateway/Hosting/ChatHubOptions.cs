using System.ComponentModel.DataAnnotations;

namespace Cryb.Gateway.Hosting;

/// <summary>How the hub runs each connection's calls (configuration section <c>Gateway:Hub</c>).</summary>
public sealed class ChatHubOptions
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
}
