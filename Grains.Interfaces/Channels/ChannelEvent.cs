using System.Text.Json.Serialization;
using Cryb.Messages;

namespace Cryb.Channels;

/// <summary>
/// An event on a channel's stream, fanned out by each gateway to its members' connections. The
/// stream is ordered, so a gateway applies membership changes before the events that follow them.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelEvent")]
public abstract record ChannelEvent([property: Id(0)] string ChannelId)
{
    /// <summary>When the grain committed the change and published it; gateways measure fan-out latency from it.</summary>
    /// <remarks>Internal to the cluster: event payloads sent to clients leave it out.</remarks>
    [Id(1), JsonIgnore]
    public DateTimeOffset? CommittedAt { get; init; }
}

/// <summary>A message was stored in the channel; its <c>Seq</c> is the event's seq.</summary>
[GenerateSerializer, Immutable, Alias("cryb.MessageCreated")]
public sealed record MessageCreated([property: Id(0)] ChatMessage Message) : ChannelEvent(Message.ChannelId)
{
    /// <summary>
    /// The users the message notified as one of many (<see cref="Notifications.Notification.ReachesMany"/>),
    /// written with it: each gateway sends those it serves a <c>NotificationCreated</c>. Internal to
    /// the cluster; a gap filled from storage has none (the client finds them with
    /// <c>ResumeNotifications</c>). Personal ones go to each user's own stream.
    /// </summary>
    [Id(1)]
    public IReadOnlyList<Notifications.Notified> Notified { get; init; } = [];
}

/// <summary>A message's content changed; its <c>RevisionSeq</c> is the event's seq.</summary>
[GenerateSerializer, Immutable, Alias("cryb.MessageEdited")]
public sealed record MessageEdited([property: Id(0)] ChatMessage Message) : ChannelEvent(Message.ChannelId);

/// <summary>A message was deleted at <see cref="Seq"/>.</summary>
[GenerateSerializer, Immutable, Alias("cryb.MessageDeleted")]
public sealed record MessageDeleted(
    string ChannelId,
    [property: Id(0)] string MessageId,
    [property: Id(1)] long Seq) : ChannelEvent(ChannelId);

/// <summary>A message's reactions changed at <see cref="Seq"/>; the full list follows.</summary>
[GenerateSerializer, Immutable, Alias("cryb.ReactionsUpdated")]
public sealed record ReactionsUpdated(
    string ChannelId,
    [property: Id(0)] string MessageId,
    [property: Id(1)] long Seq,
    [property: Id(2)] IReadOnlyList<ReactionSummary> Reactions) : ChannelEvent(ChannelId);

/// <summary>Someone became a member (joined, was invited, or opened a direct message).</summary>
[GenerateSerializer, Immutable, Alias("cryb.MemberJoined")]
public sealed record MemberJoined(
    string ChannelId,
    [property: Id(0)] string UserId,
    [property: Id(1)] ChannelRole Role) : ChannelEvent(ChannelId);

/// <summary>
/// Someone stopped being a member; <see cref="Reason"/> is <c>left</c>, <c>kicked</c> or
/// <c>banned</c>. Gateways take that user's connections out of the channel on receipt.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.MemberLeft")]
public sealed record MemberLeft(
    string ChannelId,
    [property: Id(0)] string UserId,
    [property: Id(1)] string Reason) : ChannelEvent(ChannelId);

/// <summary>A member's role changed.</summary>
[GenerateSerializer, Immutable, Alias("cryb.MemberRoleChanged")]
public sealed record MemberRoleChanged(
    string ChannelId,
    [property: Id(0)] string UserId,
    [property: Id(1)] ChannelRole Role) : ChannelEvent(ChannelId);

/// <summary>The channel's name or topic changed.</summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelUpdated")]
public sealed record ChannelUpdated([property: Id(0)] ChannelInfo Channel) : ChannelEvent(Channel.Id);

/// <summary>The channel and its history are gone. Gateways drop the channel on receipt.</summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelDeleted")]
public sealed record ChannelDeleted(string ChannelId) : ChannelEvent(ChannelId);

/// <summary>The set of members typing in the channel changed.</summary>
[GenerateSerializer, Immutable, Alias("cryb.TypingUpdated")]
public sealed record TypingUpdated(
    string ChannelId,
    [property: Id(0)] IReadOnlyList<string> UserIds) : ChannelEvent(ChannelId);

/// <summary>
/// The server changed who may do what in this channel (an overwrite, a role's permissions, the
/// owner): gateways take out, before any later event of the channel, the connections of members who
/// can no longer view it (<see cref="LeaveReasons.NoAccess"/>). Internal to the cluster: clients hear
/// of the change as the server's <c>GuildChannelUpdated</c> or role events.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.ChannelAccessChanged")]
public sealed record ChannelAccessChanged(
    string ChannelId,
    [property: Id(0)] Guilds.GuildAccess Access) : ChannelEvent(ChannelId);

/// <summary>
/// A server member's roles changed, or (<see cref="RoleIds"/> null) they are no longer a member:
/// as <see cref="ChannelAccessChanged"/>, for one member. Internal to the cluster.
/// </summary>
[GenerateSerializer, Immutable, Alias("cryb.GuildMemberAccessChanged")]
public sealed record GuildMemberAccessChanged(
    string ChannelId,
    [property: Id(0)] string UserId,
    [property: Id(1)] IReadOnlyList<string>? RoleIds,
    [property: Id(2)] long Version) : ChannelEvent(ChannelId);

/// <summary>Why a member left, as sent in <see cref="MemberLeft.Reason"/>.</summary>
public static class LeaveReasons
{
    public const string Left = "left";
    public const string Kicked = "kicked";
    public const string Banned = "banned";

    /// <summary>The member's account was deleted.</summary>
    public const string AccountDeleted = "account_deleted";

    /// <summary>The channel was deleted: members hear <see cref="ChannelDeleted"/> on the channel itself.</summary>
    public const string Deleted = "deleted";

    /// <summary>A server's channel the member can no longer view (overwrites or roles changed).</summary>
    public const string NoAccess = "no_access";
}
