using Cryb.Channels;

namespace Cryb.Users;

/// <summary>An event on a user's stream, delivered to every connection of that user on every gateway.</summary>
[GenerateSerializer, Immutable, Alias("cryb.UserEvent")]
public abstract record UserEvent([property: Id(0)] string UserId);

/// <summary>The user became a member of a channel (created, joined, invited, a direct message), on any device.</summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelAdded")]
public sealed record ChannelAdded(string UserId, [property: Id(0)] ChannelInfo Channel) : UserEvent(UserId);

/// <summary>The user is no longer a member (left, kicked, banned, or the channel was deleted).</summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelRemoved")]
public sealed record ChannelRemoved(
    string UserId,
    [property: Id(0)] string ChannelId,
    [property: Id(1)] string Reason) : UserEvent(UserId);

/// <summary>The user's read position in a channel moved, on some device; <see cref="MentionCount"/> is what is left unread of the channel's mentions.</summary>
[GenerateSerializer, Immutable, Alias("cryb.ReadStateUpdated")]
public sealed record ReadStateUpdated(
    string UserId,
    [property: Id(0)] string ChannelId,
    [property: Id(1)] long LastReadSeq,
    [property: Id(2)] int MentionCount = 0) : UserEvent(UserId);

/// <summary>The account was banned or deleted: gateways close every connection of the user.</summary>
[GenerateSerializer, Immutable, Alias("cryb.AccountClosed")]
public sealed record AccountClosed(
    string UserId,
    [property: Id(0)] AccountStanding Standing) : UserEvent(UserId);

/// <summary>The user joined a server or their roles there changed, on any device.</summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildAdded")]
public sealed record GuildAdded(string UserId, [property: Id(0)] Guilds.GuildMembership Membership) : UserEvent(UserId);

/// <summary>The user is no longer a member of a server (left, kicked, banned, or it was deleted).</summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildRemoved")]
public sealed record GuildRemoved(
    string UserId,
    [property: Id(0)] string GuildId,
    [property: Id(1)] string Reason) : UserEvent(UserId);
