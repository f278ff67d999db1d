using Cryb.Channels;
using Cryb.Errors;
using Cryb.Grains.Channels;
using Cryb.Guilds;
using Cryb.Identity;

namespace Cryb.Grains.Guilds;

/// <summary>
/// What a call's <see cref="GuildChannelSpec"/> or <see cref="RoleSpec"/> makes of a channel or a
/// role: each value validated, an absent one left as it was. The caller has been authorized.
/// </summary>
internal static class GuildSpecs
{
    /// <summary>A create under a taken id is a retry only with the same type, name and parent.</summary>
    public static void RequireSameChannel(GuildChannel existing, GuildChannelType type, GuildChannelSpec spec)
    {
        if (existing.Type != type || existing.Name != GuildRules.ValidateName(spec.Name, "A channel name") || existing.ParentId != spec.ParentId)
        {
            throw new ChatException(ErrorCodes.ChannelExists, "A channel with this id already exists.");
        }
    }

    public static GuildChannel NewChannel(string guildId, string channelId, GuildChannelType type, GuildChannelSpec spec, int position, IReadOnlyList<PermissionOverwrite> overwrites, DateTimeOffset createdAt) =>
        new(channelId, guildId, type, GuildRules.ValidateName(spec.Name, "A channel name"), ChannelRules.ValidateTopic(spec.Topic),
            spec.ParentId, position, GuildRules.ValidateUserLimit(spec.UserLimit ?? 0), overwrites.ToArray(), createdAt);

    /// <summary>An update keeps a channel's type and place (<c>MoveChannel</c> moves it).</summary>
    public static void RequireSamePlace(GuildChannel channel, GuildChannelSpec spec)
    {
        if (spec.Type is { } type && type != channel.Type || spec.ParentId is { } parentId && parentId != channel.ParentId)
        {
            throw new ChatException(ErrorCodes.InvalidArgument, "A channel's type cannot change, and MoveGuildChannel moves it.");
        }
    }

    public static GuildChannel Updated(GuildChannel channel, GuildChannelSpec spec) => channel with
    {
        Name = spec.Name is null ? channel.Name : GuildRules.ValidateName(spec.Name, "A channel name"),
        Topic = spec.Topic is null ? channel.Topic : ChannelRules.ValidateTopic(spec.Topic),
        UserLimit = spec.UserLimit is { } limit ? GuildRules.ValidateUserLimit(limit) : channel.UserLimit,
        Overwrites = spec.Overwrites?.ToArray() ?? channel.Overwrites,
    };

    public static GuildRole NewRole(RoleSpec spec, ulong permissions, int position) =>
        new(Ids.NewChannelId(), GuildRules.ValidateName(spec.Name ?? "new role", "A role name"), permissions, position, spec.Mentionable ?? false);

    /// <summary>The role updated; <c>@everyone</c> keeps its name.</summary>
    public static GuildRole Updated(GuildRole role, RoleSpec spec, bool isEveryone) => role with
    {
        Name = spec.Name is null || isEveryone ? role.Name : GuildRules.ValidateName(spec.Name, "A role name"),
        Permissions = spec.Permissions ?? role.Permissions,
        Mentionable = spec.Mentionable ?? role.Mentionable,
    };
}
