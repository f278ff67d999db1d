namespace Cryb.Channels;

/// <summary>Protocol limits on channels, shared by grains, gateway validation and docs.</summary>
public static class ChannelLimits
{
    public const int MaxNameLength = 100;
    public const int MaxHistoryPage = 100;

    /// <summary>At most this many messages come back in <see cref="JoinResult.Missed"/>.</summary>
    public const int MaxMissedOnJoin = 500;
}
