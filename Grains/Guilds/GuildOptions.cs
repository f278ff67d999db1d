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
    /// Standalone channels created before this moment move into a server of their own (docs/servers.md,
    /// "Standalone channels after the upgrade"). Unset: the moment this database took the servers
    /// schema (<c>0004_guilds.sql</c>), that is, the upgrade. Channels <c>CreateChannel</c> made since
    /// stay standalone: moving them at whatever later activation found them would change a live
    /// channel's rules under its members at a moment nobody chose.
    /// </summary>
    public DateTimeOffset? MoveStandaloneChannelsCreatedBefore { get; set; }
}
