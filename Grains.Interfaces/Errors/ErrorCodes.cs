namespace Cryb.Errors;

/// <summary>
/// The stable error codes of the public protocol. Clients branch on these strings, so they never
/// change once published; docs/protocol.md lists them.
/// </summary>
public static class ErrorCodes
{
    public const string InvalidArgument = "invalid_argument";
    public const string MessageEmpty = "message_empty";
    public const string MessageTooLong = "message_too_long";
    public const string MessageInvalidCharacters = "message_invalid_characters";
    public const string MessageNotFound = "message_not_found";
    public const string ChannelNotFound = "channel_not_found";
    public const string ChannelExists = "channel_exists";
    public const string NotAMember = "not_a_member";
    public const string MemberNotFound = "member_not_found";
    public const string Banned = "banned";
    public const string Forbidden = "forbidden";
    public const string OwnerCannotLeave = "owner_cannot_leave";
    public const string ReplyNotFound = "reply_not_found";
    public const string InvalidEmoji = "invalid_emoji";
    public const string TooManyReactions = "too_many_reactions";
    public const string InvalidStatus = "invalid_status";
    public const string Unauthenticated = "unauthenticated";
    public const string RateLimited = "rate_limited";

    /// <summary>No such server, or the caller is not a member (a server is invisible to outsiders).</summary>
    public const string GuildNotFound = "guild_not_found";
    public const string RoleNotFound = "role_not_found";

    /// <summary>The invite code is unknown, expired, used up or revoked.</summary>
    public const string InviteInvalid = "invite_invalid";
    public const string TooManyGuilds = "too_many_guilds";

    /// <summary>The server has as many members as its cap allows.</summary>
    public const string GuildFull = "guild_full";

    /// <summary>A server's limit on channels, roles, overwrites or invites is reached.</summary>
    public const string LimitReached = "limit_reached";

    /// <summary>The voice channel has as many users as its user limit allows (and the caller may not move members).</summary>
    public const string VoiceChannelFull = "voice_channel_full";

    /// <summary>Voice is not configured on this cluster (no LiveKit server): nothing to join.</summary>
    public const string VoiceUnavailable = "voice_unavailable";

    /// <summary>The caller is in no voice channel (of this server).</summary>
    public const string NotInVoice = "not_in_voice";

    /// <summary>
    /// The user does not accept this from the caller: one of the two blocked the other, or the user's
    /// privacy settings leave the caller out. Which of these is not said (Discord's rule).
    /// </summary>
    public const string Blocked = "blocked";

    /// <summary>There is no pending friend request from (or to) that user.</summary>
    public const string RequestNotFound = "request_not_found";

    /// <summary>The two are not friends.</summary>
    public const string NotFriends = "not_friends";

    /// <summary>The caller has not blocked that user.</summary>
    public const string NotBlocked = "not_blocked";

    /// <summary>There is no pending invitation of the caller's to that channel.</summary>
    public const string InvitationNotFound = "invitation_not_found";

    /// <summary>
    /// The gateway is setting up as many connections as it can at once (a reconnect storm): the
    /// connect was refused (HTTP 503) before any work for it; reconnect after <c>retryAfterMs</c>.
    /// </summary>
    public const string TryAgain = "try_again";
    public const string TooManyConnections = "too_many_connections";
    public const string TooManyChannels = "too_many_channels";
    public const string AccountDisabled = "account_disabled";
    public const string TokenExpired = "token_expired";

    /// <summary>PostgreSQL did not answer or failed: nothing was acknowledged; retry (a send with its nonce, so it is stored once).</summary>
    public const string StorageUnavailable = "storage_unavailable";

    /// <summary>The cluster did not answer in time (a silo left or is overloaded); the outcome is unknown, retry.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>Not a call's refusal: why a gateway that is shutting down closed a connection; reconnect, to any gateway.</summary>
    public const string GatewayStopping = "gateway_stopping";

    /// <summary>Not a call's refusal: why a gateway closed a connection that stopped reading its events.</summary>
    public const string SlowConsumer = "slow_consumer";

    /// <summary>
    /// A defect, not an outage or a refusal: the server failed on a call it should have handled.
    /// Retrying the same call usually fails the same way; the gateway logs it with its stack.
    /// </summary>
    public const string Internal = "internal_error";
}
