namespace Cryb.Presence;

public static class PresenceLimits
{
    /// <summary>User ids in one <c>GetPresence</c> call.</summary>
    public const int MaxBulkUsers = 200;

    /// <summary>Characters of an activity name.</summary>
    public const int MaxActivityNameLength = 128;
}
