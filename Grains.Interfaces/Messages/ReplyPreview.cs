namespace Cryb.Messages;

/// <summary>What a reply shows of the message it answers, captured when the reply is sent.</summary>
[GenerateSerializer, Immutable, Alias("cryb.ReplyPreview")]
public sealed record ReplyPreview(
    [property: Id(0)] string MessageId,
    [property: Id(1)] string AuthorId,
    [property: Id(2)] string Excerpt);
