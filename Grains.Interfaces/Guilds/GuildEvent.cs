namespace Cryb.Guilds;

/// <summary>
/// An event on a server's stream, fanned out by each gateway (one subscription per gateway and
/// server) to the local connections of the server's members. <see cref="Version"/> is the server's
/// version after the change (for member events, the member's).
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildEvent")]
public abstract record GuildEvent([property: Id(0)] string GuildId, [property: Id(1)] long Version);

/// <summary>The server's name or owner changed.</summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildUpdated")]
public sealed record GuildUpdated([property: Id(0)] GuildInfo Guild) : GuildEvent(Guild.Id, Guild.Version);

/// <summary>The server and all its channels are gone.</summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildDeleted")]
public sealed record GuildDeleted(string GuildId, long Version) : GuildEvent(GuildId, Version);

[GenerateSerializer, Immutable, Alias("cryb.GuildRoleCreated")]
public sealed record GuildRoleCreated(string GuildId, long Version, [property: Id(0)] GuildRole Role) : GuildEvent(GuildId, Version);

[GenerateSerializer, Immutable, Alias("cryb.GuildRoleUpdated")]
public sealed record GuildRoleUpdated(string GuildId, long Version, [property: Id(0)] GuildRole Role) : GuildEvent(GuildId, Version);

[GenerateSerializer, Immutable, Alias("cryb.GuildRoleDeleted")]
public sealed record GuildRoleDeleted(string GuildId, long Version, [property: Id(0)] string RoleId) : GuildEvent(GuildId, Version);

/// <summary>A channel was added; members who can view it hear of it.</summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildChannelCreated")]
public sealed record GuildChannelCreated(long Version, [property: Id(0)] GuildChannel Channel) : GuildEvent(Channel.GuildId, Version);

/// <summary>A channel's name, topic, limit, overwrites, category or position changed.</summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildChannelUpdated")]
public sealed record GuildChannelUpdated(long Version, [property: Id(0)] GuildChannel Channel) : GuildEvent(Channel.GuildId, Version);

[GenerateSerializer, Immutable, Alias("cryb.GuildChannelDeleted")]
public sealed record GuildChannelDeleted(string GuildId, long Version, [property: Id(0)] string ChannelId) : GuildEvent(GuildId, Version);

[GenerateSerializer, Immutable, Alias("cryb.GuildMemberAdded")]
public sealed record GuildMemberAdded(string GuildId, [property: Id(0)] GuildMember Member) : GuildEvent(GuildId, Member.Version);

/// <summary>A member's roles or nickname changed.</summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildMemberUpdated")]
public sealed record GuildMemberUpdated(string GuildId, [property: Id(0)] GuildMember Member) : GuildEvent(GuildId, Member.Version);

/// <summary>A member left, was kicked or banned (<see cref="Channels.LeaveReasons"/>).</summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildMemberRemoved")]
public sealed record GuildMemberRemoved(
    string GuildId,
    long Version,
    [property: Id(0)] string UserId,
    [property: Id(1)] string Reason) : GuildEvent(GuildId, Version);
