namespace Cryb.Channels;

/// <summary>One channel as the <c>Ready</c> event lists it for the connecting user.</summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelSummary")]
public sealed record ChannelSummary(
    [property: Id(0)] ChannelInfo Channel,
    [property: Id(1)] ChannelRole Role,
    [property: Id(2)] long LatestSeq,
    [property: Id(3)] long LastReadSeq,
    [property: Id(4)] int UnreadCount)
{
    /// <summary>Unread notifications of this channel that count as mentions (docs/notifications.md).</summary>
    [Id(5)]
    public int MentionCount { get; init; }
}
