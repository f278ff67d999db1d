using System.Text.RegularExpressions;
using Cryb.Errors;

namespace Cryb.Identity;

/// <summary>
/// The shape of user and channel ids. Ids become grain keys and stream keys, so both the gateway
/// (before any grain call) and the grains (for backend callers) hold them to it.
/// </summary>
public static partial class Ids
{
    public const int MaxLength = 64;

    /// <summary>True when <paramref name="id"/> is 1 to 64 letters, digits, '_', '-' or '.'.</summary>
    public static bool IsValid(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>Returns <paramref name="id"/>, or refuses it with <c>invalid_argument</c> naming <paramref name="what"/>.</summary>
    public static string Require(string? id, string what) =>
        IsValid(id) ? id! : throw new ChatException(ErrorCodes.InvalidArgument, $"{what} must be 1 to {MaxLength} letters, digits, '_', '-' or '.'.");

    /// <summary>A new channel id: time-ordered, so ids sort by creation.</summary>
    public static string NewChannelId() => Guid.CreateVersion7().ToString("N");

    /// <summary>
    /// When a channel id made by <see cref="NewChannelId"/> was made (a UUIDv7 holds its Unix time in
    /// milliseconds in its first 12 hex digits); the Unix epoch for an id of another shape.
    /// </summary>
    public static DateTimeOffset TimeOfChannelId(string channelId) =>
        channelId.Length == 32 && channelId[12] == '7'
        && long.TryParse(channelId.AsSpan(0, 12), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
            : DateTimeOffset.UnixEpoch;

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex IdPattern();
}
