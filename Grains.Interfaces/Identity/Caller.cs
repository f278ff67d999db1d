namespace Cryb.Identity;

/// <summary>
/// Who is making a grain call. Every client-originated call passes it explicitly: the silos check
/// <see cref="Via"/> (the service account vouching for the caller) and its grants, and the grain
/// authorizes <see cref="Id"/> against its own state. Nothing is taken from <c>RequestContext</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.Caller")]
public sealed record Caller(
    [property: Id(0)] string Id,
    [property: Id(1)] CallerKind Kind,
    [property: Id(2)] ServiceCredential? Via = null)
{
    /// <summary>The prefix of service member ids; ':' never occurs in a user id, so the two cannot collide.</summary>
    public const string ServicePrefix = "service:";

    /// <summary>
    /// An end user, as authenticated by a gateway (or another service account allowed to act for
    /// users) whose credential is <paramref name="via"/>.
    /// </summary>
    public static Caller User(string userId, ServiceCredential via) => new(Ids.Require(userId, "userId"), CallerKind.User, via);

    /// <summary>
    /// A backend service or bot calling grains through the Orleans client as its own service account
    /// (e.g. <c>moderation-bot</c>); in channels it is authorized like a user with the roles it was granted.
    /// </summary>
    public static Caller Service(ServiceCredential credential) =>
        new(Ids.Require(credential.Name, "service name"), CallerKind.Service, credential);

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
