namespace Cryb.Users;

/// <summary>Whether a user account may connect at all (set by a service with the grant, never by users).</summary>
[GenerateSerializer, Alias("cryb.AccountStanding")]
public enum AccountStanding
{
    Active = 0,

    /// <summary>Refused at connect and disconnected everywhere until unbanned.</summary>
    Banned = 1,

    /// <summary>Permanently closed: refused at connect, memberships removed, profile cleared.</summary>
    Deleted = 2,
}
