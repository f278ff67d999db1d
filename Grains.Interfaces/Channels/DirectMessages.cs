using System.Security.Cryptography;
using System.Text;

namespace Cryb.Channels;

/// <summary>Direct message channels: one private two-member channel per pair of users.</summary>
public static class DirectMessages
{
    /// <summary>
    /// The channel id of the pair, the same whichever of the two asks. A hash keeps it within the id
    /// limits however long the user ids are; the prefix keeps it apart from generated channel ids.
    /// </summary>
    public static string ChannelId(string userA, string userB)
    {
        var (first, second) = string.CompareOrdinal(userA, userB) <= 0 ? (userA, userB) : (userB, userA);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{first}\n{second}"));
        return "dm-" + Convert.ToHexStringLower(hash)[..40];
    }
}
