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
    /// <summary>An end user, as authenticated by a gateway.</summary>
    public static Caller User(string userId) => new(userId, CallerKind.User);
}

/// <summary>The kind of principal behind a <see cref="Caller"/>.</summary>
[GenerateSerializer, Alias("cryb.CallerKind")]
public enum CallerKind
{
    /// <summary>A person using a client app.</summary>
    User = 0,
}
