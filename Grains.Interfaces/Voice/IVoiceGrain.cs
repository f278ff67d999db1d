using Cryb.Identity;
using Orleans.Concurrency;

namespace Cryb.Voice;

/// <summary>
/// The voice states of one server, keyed by the server's id: who is in which of its voice channels,
/// muted or deafened. One activation decides them all and publishes each change as a
/// <see cref="VoiceStateUpdated"/> on the server's stream, so members see them in one order. Rows
/// in PostgreSQL (<c>voice_states</c>) keep them across a lost silo. A user has one voice session
/// at a time across servers and devices: the user's presence grain holds which
/// (<see cref="VoiceBinding"/>), and a join elsewhere ends the other. Media goes through LiveKit,
/// which the tokens of <see cref="Join"/> admit to; voice refuses with <c>voice_unavailable</c>
/// where the silos have no LiveKit configured.
/// </summary>
/// <remarks>
/// <see cref="Join"/>, <see cref="Leave"/>, <see cref="UpdateSelf"/> and <see cref="EndSession"/>
/// interleave: the grain queues them and decides and commits them in batches, in the order it
/// received them, answering each once its row is committed; its other calls run between batches.
/// </remarks>
[Alias("cryb.IVoiceGrain")]
public interface IVoiceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Puts the caller's connection <paramref name="connectionId"/> in the voice channel
    /// <paramref name="channelId"/> ("connect"; a channel at its user limit refuses with
    /// <c>voice_channel_full</c> unless the caller may move members). The same connection joining
    /// again keeps its session and gets a new token; another channel of this server or another
    /// server moves the session; another connection (a second device) takes the session over, and
    /// the first is told with <see cref="VoiceSessionEnded"/>.
    /// </summary>
    [Alias("Join"), AlwaysInterleave]
    Task<VoiceJoin> Join(Caller caller, string connectionId, string channelId, bool selfMute, bool selfDeaf);

    /// <summary>Leaves voice in this server; <c>not_in_voice</c> if the caller is in none of its channels.</summary>
    [Alias("Leave"), AlwaysInterleave]
    Task Leave(Caller caller);

    /// <summary>
    /// The caller's own mute, deafen, camera and screen share flags (<c>not_in_voice</c> outside
    /// voice); camera and screen share need the stream permission in the channel.
    /// </summary>
    [Alias("UpdateSelf"), AlwaysInterleave]
    Task<VoiceState> UpdateSelf(Caller caller, bool selfMute, bool selfDeaf, bool selfVideo, bool selfStream);

    /// <summary>
    /// A moderator's change to another member's voice, each part optional: <paramref name="mute"/>
    /// (mute members), <paramref name="deaf"/> (deafen members), a move to
    /// <paramref name="moveToChannelId"/> (move members, and connect there; the user limit does not
    /// apply, as for any mover), or <paramref name="disconnect"/> (move members). The caller's
    /// permissions are those in the user's current channel. <c>not_in_voice</c> when the user is in no
    /// voice channel of this server. The user's device gets a new token for a move or a changed
    /// mute or deafen (<see cref="VoiceServerUpdate"/>); LiveKit is told of a mute, deafen or disconnect.
    /// </summary>
    [Alias("Moderate")]
    Task<VoiceState> Moderate(Caller caller, string userId, bool? mute, bool? deaf, string? moveToChannelId, bool disconnect);

    /// <summary>
    /// Ends the user's session if it is still <paramref name="sessionId"/> (a later session stays),
    /// for a <see cref="VoiceEndReasons"/> reason. Silo-internal and one-way: the presence grain and
    /// other servers' voice grains call it without waiting, so two grains that call each other
    /// never wait on each other.
    /// </summary>
    [Alias("EndSession"), OneWay, AlwaysInterleave]
    Task EndSession(string userId, string sessionId, string reason);

    /// <summary>
    /// The server changed who may do what (a member's roles or removal, <paramref name="userId"/>;
    /// or, null, roles, overwrites, channels, the server itself): sessions whose user is no longer a
    /// member, may no longer view or connect to their channel, or whose channel is gone, end
    /// (<see cref="VoiceEndReasons.Permission"/>, <see cref="VoiceEndReasons.ChannelDeleted"/>).
    /// Silo-internal and one-way: the server's grain tells it after each such change, waiting for nothing.
    /// </summary>
    [Alias("Recheck"), OneWay]
    Task Recheck(string? userId);

    /// <summary>
    /// The server changed who may do what (as for <see cref="Recheck"/>): the grain forgets what it
    /// keeps of the member <paramref name="userId"/> (roles, name), or, null, of every channel and
    /// member, so the next call is decided on the server's state as of now. Silo-internal; the
    /// server's grain awaits it before answering the change (it waits on nothing: it interleaves
    /// and only clears memory), then sends <see cref="Recheck"/>.
    /// </summary>
    [Alias("ForgetAccess"), AlwaysInterleave]
    Task ForgetAccess(string? userId);

    /// <summary>
    /// LiveKit said the participant <paramref name="userId"/> left (its <c>participant_left</c>
    /// webhook, through a gateway): the session ends if it is still <paramref name="sessionId"/> (the
    /// participant's metadata), reason <see cref="VoiceEndReasons.MediaLeft"/>. An event id seen
    /// lately is ignored: LiveKit retries. Gateways only; a hint, not the truth (LiveKit drops
    /// webhooks under load), so the connection's end remains what ends a session for sure.
    /// </summary>
    [Alias("MediaLeft"), GatewayOnly]
    Task MediaLeft(ServiceCredential gateway, string eventId, string userId, string sessionId);

    /// <summary>
    /// LiveKit closed the channel's room (<c>room_finished</c>): sessions in the channel whose state
    /// is older than <paramref name="finishedAt"/> end; a join after it stays. Gateways only, deduplicated as <see cref="MediaLeft"/>.
    /// </summary>
    [Alias("MediaRoomFinished"), GatewayOnly]
    Task MediaRoomFinished(ServiceCredential gateway, string eventId, string channelId, DateTimeOffset finishedAt);

    /// <summary>Every voice state of the server and the version they are as of, for a gateway serving its members. Gateways only.</summary>
    [Alias("GetSnapshot"), GatewayOnly, AlwaysInterleave]
    Task<VoiceSnapshot> GetSnapshot(ServiceCredential gateway);
}
