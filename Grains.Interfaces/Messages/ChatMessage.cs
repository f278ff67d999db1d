namespace Cryb.Messages;

/// <summary>A stored message (the protocol's <c>Message</c> payload).</summary>
[GenerateSerializer, Immutable, Alias("cryb.ChatMessage")]
public sealed record ChatMessage(
    [property: Id(0)] string Id,
    [property: Id(1)] string ChannelId,
    [property: Id(2)] long Seq,
    [property: Id(3)] string AuthorId,
    [property: Id(4)] string Content,
    [property: Id(5)] string? Nonce,
    [property: Id(6)] string? ReplyToId,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset? EditedAt);
