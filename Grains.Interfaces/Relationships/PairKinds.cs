namespace Cryb.Relationships;

/// <summary>What another user is to a user (<see cref="Mine"/>) and what the user is to them (<see cref="Theirs"/>).</summary>
[GenerateSerializer, Immutable, Alias("cryb.PairKinds")]
public sealed record PairKinds([property: Id(0)] RelationshipKind Mine, [property: Id(1)] RelationshipKind Theirs)
{
    public bool BlockedEitherWay => Mine == RelationshipKind.Blocked || Theirs == RelationshipKind.Blocked;
}
