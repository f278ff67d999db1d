using Cryb.Guilds;
using Cryb.Identity;

namespace Cryb.Grains.Guilds;

/// <summary>
/// The persisted state of a server: its structure, which changes rarely. Members, bans and invites
/// are rows (<see cref="IGuildStore"/>), so a join does not rewrite this.
/// </summary>
[GenerateSerializer, Alias("cryb.GuildRecord")]
public sealed class GuildRecord
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public string OwnerId { get; set; } = "";
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Grows with every structural change; member changes take versions from the same sequence.</summary>
    [Id(4)] public long Version { get; set; }

    /// <summary>Roles by id; <c>@everyone</c> under the server's id.</summary>
    [Id(5)] public Dictionary<string, GuildRole> Roles { get; set; } = [];

    /// <summary>Channels by id, every type.</summary>
    [Id(6)] public Dictionary<string, GuildChannel> Channels { get; set; } = [];

    /// <summary>Set once the server is deleted, so its id is never reused.</summary>
    [Id(7)] public bool Deleted { get; set; }

    /// <summary>
    /// The version of the latest member removal, written before its row is deleted: the row took its
    /// version with it, and without this a restarted server would report a newest version older than
    /// the removal, and a client that missed it would be told nothing changed (<see cref="GuildView.LastVersion"/>).
    /// </summary>
    [Id(8)] public long RemovalVersion { get; set; }

    /// <summary>
    /// Anyone may join without an invite (bans still apply) by joining its channel: the server a
    /// public standalone channel moved into, so that channel stays open to all as it was.
    /// </summary>
    [Id(9)] public bool OpenToAll { get; set; }

    /// <summary>For a server a standalone channel moved into: the version its member rows were written at (0 otherwise).</summary>
    [Id(10)] public long AdoptedVersion { get; set; }

    /// <summary>A new server: its <c>@everyone</c> role (under the server's id) and one text channel, "general".</summary>
    public static GuildRecord Created(string guildId, string name, string ownerId, DateTimeOffset createdAt, long version)
    {
        var general = new GuildChannel(Ids.NewChannelId(), guildId, GuildChannelType.Text, "general", "", null, 0, 0, [], createdAt);
        return new GuildRecord
        {
            Exists = true,
            Name = name,
            OwnerId = ownerId,
            CreatedAt = createdAt,
            Version = version,
            Roles = { [guildId] = new GuildRole(guildId, "@everyone", Permission.EveryoneDefault, 0, false) },
            Channels = { [general.Id] = general },
        };
    }

    /// <summary>
    /// The server a standalone channel moves into (<see cref="StandaloneChannel"/>): the channel's id,
    /// name and owner, <c>@everyone</c> with the default permissions, an "Admins" role under
    /// <paramref name="adminRoleId"/> when the channel had admins, and the channel as its one text channel.
    /// </summary>
    public static GuildRecord Adopted(StandaloneChannel channel, string? adminRoleId, long version)
    {
        var text = new GuildChannel(channel.ChannelId, channel.ChannelId, GuildChannelType.Text, channel.Name, channel.Topic, null, 0, 0, [], channel.CreatedAt);
        var record = new GuildRecord
        {
            Exists = true,
            Name = channel.Name,
            OwnerId = channel.OwnerId,
            CreatedAt = channel.CreatedAt,
            Version = version,
            OpenToAll = !channel.IsPrivate,
            AdoptedVersion = version,
            Roles = { [channel.ChannelId] = new GuildRole(channel.ChannelId, "@everyone", Permission.EveryoneDefault, 0, false) },
            Channels = { [text.Id] = text },
        };
        if (adminRoleId is not null)
        {
            record.Roles[adminRoleId] = new GuildRole(adminRoleId, "Admins", Permission.StandaloneAdmin, 1, false);
        }

        return record;
    }

    /// <summary>Every role's permissions by role id, as <see cref="GuildAccess"/> holds them.</summary>
    public IReadOnlyDictionary<string, ulong> RolePermissions() => Roles.ToDictionary(role => role.Key, role => role.Value.Permissions);

    /// <summary>The permission inputs of <paramref name="channel"/> as of now.</summary>
    public GuildAccess AccessOf(string guildId, GuildChannel channel) => AccessOfEach(guildId)(channel);

    /// <summary>The permission inputs of any of the channels as of now, the roles' permissions read once for them all.</summary>
    public Func<GuildChannel, GuildAccess> AccessOfEach(string guildId)
    {
        var rolePermissions = RolePermissions();
        var mentionable = Roles.Values.Where(role => role.Mentionable).Select(role => role.Id).ToArray();
        return channel => new GuildAccess(guildId, OwnerId, rolePermissions, channel.Overwrites, Version) { MentionableRoleIds = mentionable };
    }

    /// <summary>Roles by position, highest first, <c>@everyone</c> last.</summary>
    public IReadOnlyList<GuildRole> OrderedRoles() =>
        Roles.Values.OrderByDescending(role => role.Position).ThenBy(role => role.Id, StringComparer.Ordinal).ToArray();

    /// <summary>Channels by category, then position.</summary>
    public IReadOnlyList<GuildChannel> OrderedChannels() =>
        Channels.Values.OrderBy(channel => channel.Position).ThenBy(channel => channel.Id, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Gives channels stored before <see cref="GuildChannel.CreatedAt"/> existed their id's time, the
    /// one place that guesses it; kept in memory and stored with the next structural change.
    /// </summary>
    public void FillChannelTimes()
    {
        foreach (var channel in Channels.Values.Where(channel => channel.CreatedAt == default).ToArray())
        {
            Channels[channel.Id] = channel with { CreatedAt = Ids.TimeOfChannelId(channel.Id) };
        }
    }

    public IEnumerable<GuildChannel> TextChannels() => Channels.Values.Where(channel => channel.Type == GuildChannelType.Text);
}
