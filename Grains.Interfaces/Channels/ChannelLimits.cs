namespace Cryb.Channels;

/// <summary>Protocol limits on channels, shared by grains, gateway validation and docs.</summary>
public static class ChannelLimits
{
    public const int MaxNameLength = 100;
    public const int MaxHistoryPage = 100;

    /// <summary>At most this many messages come back in <see cref="JoinResult.Missed"/>.</summary>
    public const int MaxMissedOnJoin = 500;

    /// <summary>
    /// Unread counts stop here: a reader further behind sees this number, shown as "100+" (badges
    /// rarely say more). A gateway can then count from the last 100 messages it keeps per channel,
    /// with no query per channel per connect.
    /// </summary>
    public const int UnreadCountCap = 100;
}
