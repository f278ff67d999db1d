namespace Cryb.Relationships;

/// <summary>
/// A user's relationships for their gateway (<see cref="IRelationshipGrain.GetForGateway"/>): what
/// <c>Ready</c> lists, and, never sent to clients, who blocked the user (<see cref="BlockedBy"/>),
/// whose presence and typing the gateway then keeps from them.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.RelationshipsView")]
public sealed record RelationshipsView(
    [property: Id(0)] IReadOnlyList<Relationship> Relationships,
    [property: Id(1)] IReadOnlyList<string> BlockedBy)
{
    /// <summary>The user's pending invitations, newest first.</summary>
    [Id(2)]
    public IReadOnlyList<Invitation> Invitations { get; init; } = [];
}
