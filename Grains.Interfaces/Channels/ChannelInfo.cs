namespace Cryb.Channels;

/// <summary>
/// The public description of a channel (the protocol's <c>Channel</c> payload). A server's text
/// channel has its <see cref="GuildId"/>; its owner is the server's owner and it is never private
/// (who sees it is the server's permissions).
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelInfo")]
public sealed record ChannelInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] bool IsPrivate,
    [property: Id(3)] string OwnerId,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] string Topic = "",
    [property: Id(6)] bool IsDirect = false,
    [property: Id(7)] string? GuildId = null);
