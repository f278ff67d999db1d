namespace Cryb.Channels;

/// <summary>The public description of a channel (the protocol's <c>Channel</c> payload).</summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelInfo")]
public sealed record ChannelInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] bool IsPrivate,
    [property: Id(3)] string OwnerId,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] string Topic = "",
    [property: Id(6)] bool IsDirect = false);
