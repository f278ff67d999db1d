using Cryb.Relationships;
using Cryb.Tests.Infrastructure;

namespace Cryb.Tests.Integration;

/// <summary>Steps the relationship tests over SignalR share.</summary>
internal static class RelationshipSteps
{
    /// <summary>Makes the two friends (a request and its acceptance), each reading the events it caused.</summary>
    public static async Task BefriendAsync(ChatTestClient asker, ChatTestClient accepter)
    {
        await asker.InvokeAsync<Relationship>("SendFriendRequest", accepter.UserId);
        await NextRelationshipAsync(asker, "RelationshipAdded", accepter.UserId, RelationshipKind.Outgoing);
        await NextRelationshipAsync(accepter, "RelationshipAdded", asker.UserId, RelationshipKind.Incoming);
        await accepter.InvokeAsync<Relationship>("AcceptFriendRequest", asker.UserId);
        await NextRelationshipAsync(asker, "RelationshipUpdated", accepter.UserId, RelationshipKind.Friend);
        await NextRelationshipAsync(accepter, "RelationshipUpdated", asker.UserId, RelationshipKind.Friend);
    }

    /// <summary>Reads the client's next relationship event of that name and checks whom and what it says.</summary>
    public static async Task<Relationship> NextRelationshipAsync(ChatTestClient client, string name, string userId, RelationshipKind kind)
    {
        var relationship = await client.NextAsync<Relationship>(name);
        Assert.Equal((userId, kind), (relationship.UserId, relationship.Kind));
        return relationship;
    }
}
