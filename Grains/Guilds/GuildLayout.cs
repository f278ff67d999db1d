using Cryb.Errors;
using Cryb.Guilds;

namespace Cryb.Grains.Guilds;

/// <summary>
/// The order of a server's roles and channels. Roles other than <c>@everyone</c> hold positions
/// 1..n without gaps or ties, so "above" and "below" are always decided; placing one renumbers the
/// rest in their order. Channels hold positions 0..n among their siblings (same category).
/// </summary>
public static class GuildLayout
{
    /// <summary>
    /// Puts <paramref name="role"/> at <paramref name="position"/> (clamped to 1..n) and renumbers
    /// the others; returns every role whose record changed, the placed one included.
    /// </summary>
    public static IReadOnlyList<GuildRole> PlaceRole(GuildRecord guild, string guildId, GuildRole role, int position)
    {
        var others = guild.Roles.Values.Where(r => r.Id != guildId && r.Id != role.Id)
            .OrderBy(r => r.Position).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        others.Insert(Math.Clamp(position, 1, others.Count + 1) - 1, role);
        var changed = new List<GuildRole>();
        for (var i = 0; i < others.Count; i++)
        {
            var placed = others[i] with { Position = i + 1 };
            if (!guild.Roles.TryGetValue(placed.Id, out var before) || before != placed)
            {
                guild.Roles[placed.Id] = placed;
                changed.Add(placed);
            }
        }

        return changed;
    }

    /// <summary>Takes a role out and renumbers the rest; returns the roles that moved down.</summary>
    public static IReadOnlyList<GuildRole> RemoveRole(GuildRecord guild, string guildId, string roleId)
    {
        guild.Roles.Remove(roleId);
        var changed = new List<GuildRole>();
        var position = 1;
        foreach (var role in guild.Roles.Values.Where(r => r.Id != guildId).OrderBy(r => r.Position).ThenBy(r => r.Id, StringComparer.Ordinal).ToArray())
        {
            if (role.Position != position)
            {
                guild.Roles[role.Id] = role with { Position = position };
                changed.Add(guild.Roles[role.Id]);
            }

            position++;
        }

        return changed;
    }

    /// <summary>Takes a deleted role's overwrites out of every channel.</summary>
    public static void RemoveRoleOverwrites(GuildRecord guild, string roleId)
    {
        foreach (var channel in guild.Channels.Values.Where(c => c.Overwrites.Any(o => o.Kind == OverwriteKind.Role && o.Id == roleId)).ToArray())
        {
            guild.Channels[channel.Id] = channel with { Overwrites = channel.Overwrites.Where(o => o.Kind != OverwriteKind.Role || o.Id != roleId).ToArray() };
        }
    }

    /// <summary>The position after the last channel under <paramref name="parentId"/>.</summary>
    public static int NextPosition(GuildRecord guild, string? parentId) =>
        guild.Channels.Values.Where(c => c.ParentId == parentId).Select(c => c.Position + 1).DefaultIfEmpty(0).Max();

    /// <summary>A parent must be a category of the server, and a category has no parent.</summary>
    public static void RequireValidParent(GuildRecord guild, GuildChannelType type, string? parentId)
    {
        if (parentId is null)
        {
            return;
        }

        if (type == GuildChannelType.Category || !guild.Channels.TryGetValue(parentId, out var parent) || parent.Type != GuildChannelType.Category)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "A channel's parent is a category of the server; a category has none.");
        }
    }

    /// <summary>
    /// Moves a channel to <paramref name="position"/> among the channels of <paramref name="parentId"/>
    /// and renumbers them; returns every channel whose record changed.
    /// </summary>
    public static IReadOnlyList<GuildChannel> MoveChannel(GuildRecord guild, GuildChannel channel, int position, string? parentId)
    {
        var siblings = guild.Channels.Values.Where(c => c.ParentId == parentId && c.Id != channel.Id)
            .OrderBy(c => c.Position).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
        siblings.Insert(Math.Clamp(position, 0, siblings.Count), channel with { ParentId = parentId });
        var changed = new List<GuildChannel>();
        for (var i = 0; i < siblings.Count; i++)
        {
            var placed = siblings[i] with { Position = i };
            if (guild.Channels[placed.Id] != placed)
            {
                guild.Channels[placed.Id] = placed;
                changed.Add(placed);
            }
        }

        return changed;
    }

    /// <summary>Deleting a category: its channels move out of it, after the channels without one.</summary>
    public static IReadOnlyList<GuildChannel> RemoveChannel(GuildRecord guild, string channelId)
    {
        guild.Channels.Remove(channelId);
        var changed = new List<GuildChannel>();
        foreach (var child in guild.Channels.Values.Where(c => c.ParentId == channelId).OrderBy(c => c.Position).ToArray())
        {
            var moved = child with { ParentId = null, Position = NextPosition(guild, null) };
            guild.Channels[moved.Id] = moved;
            changed.Add(moved);
        }

        return changed;
    }
}
