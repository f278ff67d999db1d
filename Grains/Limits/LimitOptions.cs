using System.ComponentModel.DataAnnotations;

namespace Cryb.Grains.Limits;

/// <summary>Per-user bounds (configuration section <c>Limits</c> on the silos).</summary>
public sealed class LimitOptions
{
    public const string Section = "Limits";

    /// <summary>Open connections of one user across every gateway; the next is refused with <c>too_many_connections</c>.</summary>
    [Range(1, 1000)]
    public int MaxConnectionsPerUser { get; set; } = 5;

    /// <summary>
    /// Channels one user may be a member of (each connection follows all of them); joining, creating
    /// or being added to one more is refused with <c>too_many_channels</c>.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxChannelsPerUser { get; set; } = 200;
}
