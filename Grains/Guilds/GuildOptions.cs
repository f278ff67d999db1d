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
}
