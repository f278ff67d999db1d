using System.ComponentModel.DataAnnotations;

namespace Cryb.Gateway.Hosting;

/// <summary>
/// How much the gateway holds for a connection that does not read, and for how long (configuration
/// section <c>Gateway:SlowConsumer</c>). A connection over either limit is closed with
/// <c>slow_consumer</c>; the client reconnects and resumes with <c>JoinChannel(channelId, sinceSeq)</c>.
/// </summary>
public sealed class SlowConsumerOptions
{
    public const string Section = "Gateway:SlowConsumer";

    /// <summary>
    /// Serialized events queued for one connection behind a write the transport has not taken yet.
    /// 256 KB holds at least ten of the largest events (a 4000-character message is 12 KB in 3-byte
    /// UTF-8 characters, 24 KB in characters JSON must escape) and hundreds of ordinary ones, on top
    /// of SignalR's 64 KB transport buffer and the kernel's socket buffers. A client that far behind
    /// catches up faster with one <c>JoinChannel</c> (up to 500 missed messages) than through the
    /// socket; and a thousand stalled connections cost at most 256 MB, not an unbounded heap.
    /// </summary>
    [Range(4 * 1024, 64 * 1024 * 1024)]
    public int MaxBufferBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// How long one write may wait on a full transport buffer (the client reads nothing) before the
    /// connection is closed, even if its queue is far from <see cref="MaxBufferBytes"/>. 10 s is
    /// longer than a network hiccup or a client GC pause and shorter than SignalR's 30 s client
    /// timeout, which only notices a client that stops sending, not one that stops reading. SignalR's
    /// transport send timeout is set to twice this: the backstop for a send that never completes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
