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

/// <summary>
/// A backend service's bulk import (<see cref="IGuildGrain.ImportMembers"/>) left the server with more
/// than <see cref="GuildLimits.LargeThreshold"/> members: one event for the whole import, not one
/// <see cref="GuildMemberAdded"/> per member (an import may add thousands). <see cref="MemberCount"/>
/// is the server's count after it; a gateway or client that kept the whole member list no longer has
/// it. <see cref="GuildEvent.Version"/> is the imported members' version. An import that leaves the
/// server at or below the threshold announces each member with <see cref="GuildMemberAdded"/> instead.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildMembersImported")]
public sealed record GuildMembersImported(
    string GuildId,
    long Version,
    [property: Id(0)] int MemberCount,
    [property: Id(1)] int Added) : GuildEvent(GuildId, Version);

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
