namespace Cryb.Guilds;

/// <summary>
/// A channel's exception to the server's permissions for one role (the <c>@everyone</c> role's id is
/// the server's id) or one member: bits in <see cref="Allow"/> are granted, bits in <see cref="Deny"/>
/// taken away, in the order <see cref="GuildPermissions.InChannel"/> documents.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.PermissionOverwrite")]
public sealed record PermissionOverwrite(
    [property: Id(0)] string Id,
    [property: Id(1)] OverwriteKind Kind,
    [property: Id(2)] ulong Allow,
    [property: Id(3)] ulong Deny);

/// <summary>Whom a <see cref="PermissionOverwrite"/> is for. Serialized as its lowercase name.</summary>
[GenerateSerializer, Alias("cryb.OverwriteKind")]
public enum OverwriteKind
{
    Role = 0,
    Member = 1,
}
