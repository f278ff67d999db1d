using Cryb.Messages;

namespace Cryb.Channels;

/// <summary>
/// What <c>JoinChannel</c> returns: the channel, its latest seq, and the messages after the
/// caller's <c>sinceSeq</c> in seq order (<see cref="Truncated"/> when there were more).
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.JoinResult")]
public sealed record JoinResult(
    [property: Id(0)] ChannelInfo Channel,
    [property: Id(1)] long LatestSeq,
    [property: Id(2)] IReadOnlyList<ChatMessage> Missed,
    [property: Id(3)] bool Truncated);
