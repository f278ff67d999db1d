namespace Cryb.Users;

/// <summary>
/// The rule for display names, held by the gateway when it issues a development token and by the
/// user grain when a user connects (a backend may present any name).
/// </summary>
public static class DisplayNames
{
    /// <summary>Characters of a display name after trimming.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// <paramref name="requested"/> trimmed; or <paramref name="userId"/> when that is empty, longer
    /// than <see cref="MaxLength"/>, or holds control characters.
    /// </summary>
    public static string OrUserId(string? requested, string userId) =>
        requested?.Trim() is { Length: > 0 and <= MaxLength } name && !name.Any(char.IsControl) ? name : userId;
}
