namespace Cryb.Relationships;

/// <summary>The relationship limits (Discord's friend cap is 1,000).</summary>
public static class RelationshipLimits
{
    public const int MaxFriends = 1_000;

    public const int MaxBlocked = 5_000;

    /// <summary>Friend requests a user may send per <see cref="RequestWindow"/>, cancelled ones included.</summary>
    public const int MaxRequestsPerWindow = 50;

    public static readonly TimeSpan RequestWindow = TimeSpan.FromHours(24);
}
