namespace Cryb.Channels;

/// <summary>
/// What a gateway keeps of a channel it serves (<see cref="IChannelGrain.GetView"/>), so that the
/// <c>Ready</c> of each member connecting there is answered from its memory rather than by a call
/// to the grain per channel per connect: the channel, its latest seq, the members whose role is
/// not <see cref="ChannelRole.Member"/>, and the last <see cref="ChannelLimits.UnreadCountCap"/>
/// messages (who wrote them, whether deleted) to count unread ones from, plus one more when older
/// ones exist. The gateway keeps it current from the channel's events.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelView")]
public sealed record ChannelView(
    [property: Id(0)] ChannelInfo Channel,
    [property: Id(1)] long LatestSeq,
    [property: Id(2)] IReadOnlyDictionary<string, ChannelRole> Roles,
    [property: Id(3)] IReadOnlyList<RecentMessage> Recent);

/// <summary>One of a channel's latest messages, as unread counts need it.</summary>
[GenerateSerializer, Immutable, Alias("cryb.RecentMessage")]
public sealed record RecentMessage(
    [property: Id(0)] long Seq,
    [property: Id(1)] string Id,
    [property: Id(2)] string AuthorId,
    [property: Id(3)] bool Deleted);
