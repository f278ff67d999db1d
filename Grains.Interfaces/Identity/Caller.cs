namespace Cryb.Identity;

/// <summary>
/// Who is making a grain call. Every client-originated call passes it explicitly and the grain
/// authorizes it against its own state: nothing is taken from <c>RequestContext</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.Caller")]
public sealed record Caller(
    [property: Id(0)] string Id,
    [property: Id(1)] CallerKind Kind)
{
    /// <summary>The prefix of service member ids; ':' never occurs in a user id, so the two cannot collide.</summary>
    public const string ServicePrefix = "service:";

    /// <summary>An end user, as authenticated by a gateway.</summary>
    public static Caller User(string userId) => new(Ids.Require(userId, "userId"), CallerKind.User);

    /// <summary>
    /// A backend service or bot calling grains through the Orleans client under a name of its own
    /// (e.g. <c>moderation-bot</c>); it is authorized like a user with the roles it was granted.
    /// </summary>
    public static Caller Service(string name) => new(Ids.Require(name, "service name"), CallerKind.Service);

    /// <summary>The id this caller has in memberships and as a message author.</summary>
    public string MemberId => Kind == CallerKind.Service ? ServicePrefix + Id : Id;
}

/// <summary>The kind of principal behind a <see cref="Caller"/>.</summary>
[GenerateSerializer, Alias("cryb.CallerKind")]
public enum CallerKind
{
    /// <summary>A person using a client app.</summary>
    User = 0,

    /// <summary>A backend service or bot using the grain interfaces directly.</summary>
    Service = 1,
}
