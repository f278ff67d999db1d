namespace Cryb.Bench.Load;

/// <summary>
/// The fields of the protocol's <c>Message</c> payload (<see cref="Cryb.Messages.ChatMessage"/>)
/// that the bench reads, for both a send's acknowledgement and a <c>MessageCreated</c> event. The
/// deserializer skips the rest (mentions, reactions, reply, dates), which keeps the receiving side
/// cheap at tens of thousands of deliveries a second. A class with setters, so both the JSON and
/// the MessagePack protocol fill it by property name.
/// </summary>
public sealed class DeliveredMessage
{
    public string ChannelId { get; set; } = "";

    public long Seq { get; set; }

    public string Content { get; set; } = "";
}

/// <summary>
/// The <c>Ready</c> event, read only for its arrival: the connection's channel subscriptions are
/// live once it came.
/// </summary>
public sealed class ReadySignal;
