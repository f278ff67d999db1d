using System.ComponentModel.DataAnnotations;

namespace Cryb.Grains.Presence;

/// <summary>Presence timings (configuration section <c>Presence</c> on the silos).</summary>
public sealed class PresenceOptions
{
    public const string Section = "Presence";

    /// <summary>With no activity for this long, an online user shows as idle.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan IdleAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long after the last connection closes a user shows offline: a reload does not flap.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan OfflineGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A gateway that has not heartbeated for this long is taken for dead and its connections
    /// dropped. Gateways heartbeat every third of it (<c>Presence:HeartbeatInterval</c> on the gateway).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan GatewayLease { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Changes within this window go out as one <c>PresenceUpdated</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan Coalesce { get; set; } = TimeSpan.FromMilliseconds(250);
}
