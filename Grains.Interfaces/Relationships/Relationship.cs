namespace Cryb.Relationships;

/// <summary>
/// Another user as one user sees them: the payload of <c>GetRelationships</c> and the relationship
/// events. <see cref="Version"/> grows with every change of the pair; a client applies an event only
/// if it is newer than what it holds of that user.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.Relationship")]
public sealed record Relationship(
    [property: Id(0)] string UserId,
    [property: Id(1)] RelationshipKind Kind,
    [property: Id(2)] DateTimeOffset Since,
    [property: Id(3)] long Version);
