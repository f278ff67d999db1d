using System.ComponentModel.DataAnnotations;
using Cryb.Guilds;

namespace Cryb.Grains.Guilds;

/// <summary>Bounds on servers (configuration section <c>Guilds</c> on the silos).</summary>
public sealed class GuildOptions
{
    public const string Section = "Guilds";

    /// <summary>Members one server may have; a join, or an import past it, is refused with <c>guild_full</c>.</summary>
    [Range(1, 10_000_000)]
    public int MaxMembers { get; set; } = GuildLimits.DefaultMaxMembers;

    /// <summary>
    /// Makes <c>CreateChannel</c> without a server create a standalone channel, as the silos before
    /// servers did, instead of a server of its own; the channel moves into one at its grain's next
    /// activation or by the sweep, like any channel stored before the upgrade. For the upgrade's
    /// tests only: never set it in production, where such a channel would keep the old rules until then.
    /// </summary>
    public bool CreateStandaloneChannels { get; set; }
}
