using Cryb.Channels;
using Cryb.Guilds;

namespace Cryb.Grains.Channels;

/// <summary>
/// The persisted state of a channel: what changes rarely. The seq is not here: it is recovered from
/// the messages table on activation, so a message costs one row, not a state write.
/// </summary>
[GenerateSerializer, Alias("cryb.ChannelState")]
public sealed class ChannelState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public bool IsPrivate { get; set; }
    [Id(3)] public string OwnerId { get; set; } = "";
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public string Topic { get; set; } = "";
    [Id(6)] public bool IsDirect { get; set; }

    /// <summary>Members by member id (a user id, or <c>service:name</c>).</summary>
    [Id(7)] public Dictionary<string, ChannelRole> Members { get; set; } = [];

    [Id(8)] public HashSet<string> Banned { get; set; } = [];

    /// <summary>Set once the channel is deleted, so its id is never reused.</summary>
    [Id(9)] public bool Deleted { get; set; }

    /// <summary>The server this text channel belongs to; null for a standalone channel or a direct message.</summary>
    [Id(10)] public string? GuildId { get; set; }

    /// <summary>
    /// A server channel's permission inputs, as the server's grain last gave them: who may view, send
    /// and manage messages here is computed from them and the caller's roles. <see cref="Members"/>
    /// stays empty: the server's member rows say who is a member.
    /// </summary>
    [Id(11)] public GuildAccess? Access { get; set; }

    public bool IsGuildChannel => GuildId is not null;

    /// <summary>A new channel with its creator as owner and only member.</summary>
    public static ChannelState Created(string name, bool isPrivate, string ownerId, DateTimeOffset createdAt) => new()
    {
        Exists = true,
        Name = name,
        IsPrivate = isPrivate,
        OwnerId = ownerId,
        CreatedAt = createdAt,
        Members = { [ownerId] = ChannelRole.Owner },
    };

    /// <summary>A new text channel of a server.</summary>
    public static ChannelState AttachedToGuild(GuildChannelAccess attached, DateTimeOffset createdAt) => new()
    {
        Exists = true,
        Name = attached.Channel.Name,
        Topic = attached.Channel.Topic,
        OwnerId = attached.Access.OwnerId,
        CreatedAt = createdAt,
        GuildId = attached.Channel.GuildId,
        Access = attached.Access,
    };

    /// <summary>A new direct message channel, opened by <paramref name="openerId"/>; its members are added as they come.</summary>
    public static ChannelState OpenedDirect(string openerId, DateTimeOffset createdAt) => new()
    {
        Exists = true,
        IsPrivate = true,
        IsDirect = true,
        OwnerId = openerId,
        CreatedAt = createdAt,
    };
}
