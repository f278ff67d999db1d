using Cryb.Errors;
using Cryb.Guilds;

namespace Cryb.Gateway.Hubs;

/// <summary>
/// The connect parameter <c>?largeThreshold=N</c> (Discord's Identify setting of the same name): the
/// member count above which the connection's servers come without their member lists, in
/// <c>Ready</c>, <c>GuildCreated</c> and <c>ResumeGuilds</c>. 0 to 250; <see cref="GuildLimits.DefaultLargeThreshold"/>
/// when absent. A client showing every small server's members at once asks for more; one that
/// lists members on demand (<c>RequestGuildMembers</c>) can ask for 0.
/// </summary>
public static class ConnectLargeThreshold
{
    public const string Parameter = "largeThreshold";

    /// <summary>The threshold the query asks for; a value that is not a whole number from 0 to 250 refuses the connection.</summary>
    public static int Of(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return GuildLimits.DefaultLargeThreshold;
        }

        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var threshold) && threshold <= GuildLimits.LargeThreshold
            ? threshold
            : throw new ChatException(ErrorCodes.InvalidArgument, $"{Parameter} must be a whole number from 0 to {GuildLimits.LargeThreshold}.");
    }

    /// <summary>Whether a server of <paramref name="memberCount"/> comes without its member list to a connection with <paramref name="threshold"/>.</summary>
    public static bool IsLarge(int memberCount, int threshold) => memberCount > Math.Min(threshold, GuildLimits.LargeThreshold);

    /// <summary><paramref name="state"/> as a connection with <paramref name="threshold"/> sees it: past it, only the member's own record and no presences.</summary>
    public static GuildState Apply(GuildState state, int threshold) =>
        state.Large || !IsLarge(state.Guild.MemberCount, threshold) ? state : state with { Members = [state.Member], Large = true, Presences = [] };
}
