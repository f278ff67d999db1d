using System.Security.Cryptography;
using Cryb.Errors;
using Cryb.Guilds;
using Cryb.Identity;

namespace Cryb.Grains.Guilds;

/// <summary>Validation of server fields, in the grain so backend services are held to it too.</summary>
public static class GuildRules
{
    /// <summary>Longest stretch a ban's clean-up reaches back: 7 days, as Discord's.</summary>
    public const int MaxDeleteMessageSeconds = 7 * 24 * 60 * 60;

    /// <summary>An invite lives at most this long (0: for ever); Discord's bound.</summary>
    public const int MaxInviteAgeSeconds = 7 * 24 * 60 * 60;

    public const int MaxInviteUses = 100_000;
    public const int MaxReasonLength = 512;

    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A server, channel or role name: 1 to 100 characters without control characters, trimmed.</summary>
    public static string ValidateName(string? name, string what = "A name")
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > GuildLimits.MaxNameLength || trimmed.Any(char.IsControl))
        {
            throw new ChatException(ErrorCodes.InvalidArgument,
                $"{what} is 1 to {GuildLimits.MaxNameLength} characters without control characters.");
        }

        return trimmed;
    }

    /// <summary>A nickname trimmed, null when empty; at most <see cref="GuildLimits.MaxNicknameLength"/> characters.</summary>
    public static string? ValidateNickname(string? nickname)
    {
        var trimmed = nickname?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (trimmed.Length > GuildLimits.MaxNicknameLength || trimmed.Any(char.IsControl))
        {
            throw new ChatException(ErrorCodes.InvalidArgument,
                $"A nickname is at most {GuildLimits.MaxNicknameLength} characters without control characters.");
        }

        return trimmed;
    }

    public static void ValidateInvite(int maxUses, int maxAgeSeconds)
    {
        if (maxUses is < 0 or > MaxInviteUses || maxAgeSeconds is < 0 or > MaxInviteAgeSeconds)
        {
            throw new ChatException(ErrorCodes.InvalidArgument,
                $"An invite takes 0 (no limit) to {MaxInviteUses} uses and 0 (never expires) to {MaxInviteAgeSeconds} seconds.");
        }
    }

    public static void ValidateBan(int deleteMessageSeconds, string? reason)
    {
        if (deleteMessageSeconds is < 0 or > MaxDeleteMessageSeconds || reason?.Length > MaxReasonLength)
        {
            throw new ChatException(ErrorCodes.InvalidArgument,
                $"Messages of the last 0 to {MaxDeleteMessageSeconds} seconds can be deleted, and a reason is at most {MaxReasonLength} characters.");
        }
    }

    public static int ValidateUserLimit(int userLimit) =>
        userLimit is >= 0 and <= GuildLimits.MaxVoiceUserLimit
            ? userLimit
            : throw new ChatException(ErrorCodes.InvalidArgument, $"A voice channel's user limit is 0 (none) to {GuildLimits.MaxVoiceUserLimit}.");

    /// <summary>Whether <paramref name="memberId"/> can name a member: a user id, or a service's <c>service:name</c>.</summary>
    public static bool IsMemberId(string? memberId) =>
        Ids.IsValid(memberId) || memberId is not null && memberId.StartsWith(Caller.ServicePrefix, StringComparison.Ordinal)
            && Ids.IsValid(memberId[Caller.ServicePrefix.Length..]);

    /// <summary>Returns <paramref name="memberId"/>, or refuses it with <c>invalid_argument</c>.</summary>
    public static string RequireMemberId(string? memberId) =>
        IsMemberId(memberId) ? memberId! : throw new ChatException(ErrorCodes.InvalidArgument, "userId must be a user id or service:name.");

    /// <summary>A new invite code: <see cref="GuildLimits.InviteCodeLength"/> base62 characters from the system's CSPRNG.</summary>
    public static string NewInviteCode() => RandomNumberGenerator.GetString(Base62, GuildLimits.InviteCodeLength);

    /// <summary>Whether a string can be an invite code at all (so junk never reaches the table).</summary>
    public static bool IsInviteCode(string? code) =>
        code is { Length: GuildLimits.InviteCodeLength } && code.All(c => Base62.Contains(c, StringComparison.Ordinal));
}
