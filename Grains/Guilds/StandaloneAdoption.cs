using System.Security.Cryptography;
using System.Text;

namespace Cryb.Grains.Guilds;

/// <summary>What a standalone channel's move into a server of its own decides alike on every run.</summary>
internal static class StandaloneAdoption
{
    /// <summary>
    /// The "Admins" role's id, derived from the server's: the admins' member rows are written before
    /// the record that lists the role, so a run that failed in between must name it the same again.
    /// </summary>
    public static string AdminRoleId(string guildId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{guildId}/admins")))[..32];
}
