namespace Cryb.Messages;

/// <summary>A stored message (the protocol's <c>Message</c> payload).</summary>
/// <param name="Seq">The message's place in its channel: the seq of the change that created it.</param>
/// <param name="RevisionSeq">The seq of the message's latest change (creation, edit, deletion or reactions).</param>
/// <param name="Deleted">A tombstone: content, mentions and reactions are gone; recovery returns it so clients drop the message.</param>
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
    [property: Id(8)] DateTimeOffset? EditedAt,
    [property: Id(9)] long RevisionSeq,
    [property: Id(10)] bool Deleted,
    [property: Id(11)] IReadOnlyList<string> Mentions,
    [property: Id(12)] ReplyPreview? ReplyTo,
    [property: Id(13)] IReadOnlyList<ReactionSummary> Reactions)
{
    /// <summary>Value equality, lists included: a message read back from storage equals the one acknowledged.</summary>
    public bool Equals(ChatMessage? other) =>
        other is not null
        && (Id, ChannelId, Seq, AuthorId, Content, Nonce, ReplyToId, CreatedAt, EditedAt, RevisionSeq, Deleted, ReplyTo)
            == (other.Id, other.ChannelId, other.Seq, other.AuthorId, other.Content, other.Nonce, other.ReplyToId, other.CreatedAt, other.EditedAt, other.RevisionSeq, other.Deleted, other.ReplyTo)
        && Mentions.SequenceEqual(other.Mentions)
        && Reactions.SequenceEqual(other.Reactions);

    public override int GetHashCode() => HashCode.Combine(Id, RevisionSeq);
}
