namespace Cryb.Messages;

/// <summary>A message a caller wants to send; the channel grain validates every field.</summary>
[GenerateSerializer, Immutable, Alias("cryb.SendMessageRequest")]
public sealed record SendMessageRequest(
    [property: Id(0)] string Content,
    [property: Id(1)] string? Nonce = null,
    [property: Id(2)] string? ReplyToId = null);
