using Cryb.Channels;

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
