namespace Cryb.Messages;

/// <summary>One emoji on a message: how many reacted with it and who, in the order they did.</summary>
[GenerateSerializer, Immutable, Alias("cryb.ReactionSummary")]
public sealed record ReactionSummary(
    [property: Id(0)] string Emoji,
    [property: Id(1)] int Count,
    [property: Id(2)] IReadOnlyList<string> UserIds)
{
    /// <summary>Value equality, the user list included.</summary>
    public bool Equals(ReactionSummary? other) =>
        other is not null && Emoji == other.Emoji && Count == other.Count && UserIds.SequenceEqual(other.UserIds);

    public override int GetHashCode() => HashCode.Combine(Emoji, Count);
}
