namespace Cryb.Relationships;

/// <summary>What another user is to this one. The numbers are stored (the <c>relationships</c> table).</summary>
[GenerateSerializer, Alias("cryb.RelationshipKind")]
public enum RelationshipKind
{
    /// <summary>Nothing (never sent to clients: the relationship is removed instead).</summary>
    None = 0,

    Friend = 1,

    /// <summary>They sent this user a friend request, not answered yet.</summary>
    Incoming = 2,

    /// <summary>This user sent them a friend request, not answered yet.</summary>
    Outgoing = 3,

    /// <summary>This user blocked them.</summary>
    Blocked = 4,
}
