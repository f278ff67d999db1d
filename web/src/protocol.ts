// The wire contract of /hubs/chat, as docs/protocol.md states it.

export type Role = "member" | "admin" | "owner";
export type PresenceStatus = "online" | "idle" | "dnd" | "offline";
export type ChosenStatus = "online" | "idle" | "dnd" | "invisible";
export type ActivityKind = "playing" | "listening" | "watching" | "custom";

export type Channel = {
  id: string;
  name: string;
  topic: string;
  isPrivate: boolean;
  isDirect: boolean;
  ownerId: string;
  createdAt: string;
  /** Set on a server's text channel; standalone channels and direct messages have none. */
  guildId?: string | null;
};

export type Reaction = { emoji: string; count: number; userIds: string[] };

export type Message = {
  id: string;
  channelId: string;
  seq: number;
  revisionSeq: number;
  authorId: string;
  content: string;
  nonce: string | null;
  replyToId: string | null;
  replyTo: { messageId: string; authorId: string; excerpt: string } | null;
  mentions: string[];
  reactions: Reaction[];
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
};

export type Member = { userId: string; role: Role; status: PresenceStatus | null };

export type Presence = {
  userId: string;
  status: PresenceStatus;
  activity: { kind: ActivityKind; name: string } | null;
  devices: string[];
  lastSeenAt: string | null;
};

export type JoinResult = { channel: Channel; latestSeq: number; missed: Message[]; truncated: boolean };
export type ChannelSummary = {
  channel: Channel;
  role: Role;
  latestSeq: number;
  lastReadSeq: number;
  unreadCount: number;
  /** Unread mentions, replies and direct messages (docs/notifications.md); absent from gateways before notifications. */
  mentionCount?: number;
};
export type RelationshipKind = "friend" | "incoming" | "outgoing" | "blocked";
/** Another user as this one sees them (docs/relationships.md); `version` grows with every change of the pair. */
export type Relationship = { userId: string; kind: RelationshipKind; since: string; version: number };
export type RelationshipGone = { userId: string; version: number };
/** An invitation to a channel (or a server's) waiting for this user's answer. */
export type Invitation = { channelId: string; channelName: string; inviterId: string; createdAt: string };
export type InvitationGone = { channelId: string; reason: "accepted" | "declined" | "replaced" };

export type Ready = {
  user: { id: string; displayName: string };
  presence: Presence;
  channels: ChannelSummary[];
  /** Friends, requests both ways and blocks (absent from gateways before relationships). */
  relationships?: Relationship[];
  /** The presence of each friend who is not offline. */
  friendPresences?: Presence[];
  /** Invitations waiting for this user's answer, newest first. */
  invitations?: Invitation[];
  /** One GuildState per server of the user (absent from gateways before servers); none when connected with guilds=resume. */
  guilds?: GuildState[];
  /** With guilds=resume: each server's id and newest version; the servers themselves come from ResumeGuilds. */
  guildVersions?: GuildVersion[] | null;
  /** Where the user's notifications stand (absent from gateways before notifications). */
  notifications?: NotificationSummary | null;
};

export type MessageDeleted = { channelId: string; messageId: string; seq: number };
export type ReactionsUpdated = { channelId: string; messageId: string; seq: number; reactions: Reaction[] };
export type MemberJoined = { channelId: string; userId: string; role: Role };
export type MemberLeft = { channelId: string; userId: string; reason: string };
export type TypingUpdated = { channelId: string; userIds: string[] };
export type ChannelRemoved = { userId: string; channelId: string; reason: string };
/** `mentionCount`: the channel's unread mentions after this read position (absent from gateways before notifications). */
export type ReadStateUpdated = { userId: string; channelId: string; lastReadSeq: number; mentionCount?: number };
export type AccountClosed = { userId: string; standing: string };

// ----- notifications (docs/notifications.md)

export type NotificationKind =
  | "mention"
  | "everyone"
  | "roleMention"
  | "reply"
  | "directMessage"
  | "reaction"
  | "friendRequest"
  | "friendAccepted"
  | "invitation"
  | "message";
/** One notification at its place `seq` in the user's gapless sequence; ids are null where they do not apply. */
export type Notification = {
  seq: number;
  id: string;
  kind: NotificationKind;
  priority: "low" | "normal" | "high";
  actorId: string;
  guildId: string | null;
  channelId: string | null;
  messageId: string | null;
  messageSeq: number | null;
  /** The start of the message; a reaction's emoji; an invitation's channel name. */
  excerpt: string | null;
  createdAt: string;
};
/** Ready's `notifications`: the newest seq, the read cursor, the unread count, unread mentions per channel id. */
export type NotificationSummary = { lastSeq: number; ackedSeq: number; unreadCount: number; mentionCounts: Record<string, number> };
/** ResumeNotifications' answer: those after the seq given, oldest first, at most 100 (`truncated` if more). */
export type NotificationResume = { notifications: Notification[]; truncated: boolean; lastSeq: number; ackedSeq: number };
export type NotificationsAcked = { userId: string; ackedSeq: number; unreadCount: number };
export type NotificationLevel = "all" | "mentions" | "none";
/** A scope's setting: `guild:<id>` or `channel:<id>`; a null level inherits (channel, then server, then `mentions`). */
export type NotificationSetting = {
  scope: string;
  level: NotificationLevel | null;
  mutedUntil: string | null;
  suppressEveryone: boolean;
  suppressRoles: boolean;
};
/** The kinds a channel's `mentionCount` counts (the red badge). */
export const mentionKinds: ReadonlySet<NotificationKind> = new Set(["mention", "everyone", "roleMention", "reply", "directMessage"]);

// ----- servers (guilds)

export type GuildChannelType = "text" | "voice" | "category";
export type PermissionOverwrite = { id: string; kind: "role" | "member"; allow: number; deny: number };
export type GuildChannel = {
  id: string;
  guildId: string;
  type: GuildChannelType;
  name: string;
  topic: string;
  parentId: string | null;
  position: number;
  userLimit: number;
  overwrites: PermissionOverwrite[];
  createdAt: string;
};
export type GuildRole = { id: string; name: string; permissions: number; position: number; mentionable: boolean };
export type GuildInfo = { id: string; name: string; ownerId: string; createdAt: string; memberCount: number; version: number };
export type GuildMember = { userId: string; name: string; nickname: string | null; roleIds: string[]; joinedAt: string; version: number };
/** The server as one member sees it: the channels they can view, every role, and (unless large) its members. */
export type GuildState = {
  guild: GuildInfo;
  roles: GuildRole[];
  channels: GuildChannel[];
  member: GuildMember;
  members: GuildMember[];
  large: boolean;
  /** Small servers: the members online, idle or dnd (absent from gateways before presences). */
  presences?: Presence[];
  /** The newest change of the server this state covers: kept for ResumeGuilds (0 from GetGuild). */
  resumeVersion?: number;
  /** Who is in the voice channels the member can view (absent from the server's grain and gateways before voice). */
  voiceStates?: VoiceState[] | null;
};
export type GuildVersion = { guildId: string; version: number };
/** One server in ResumeGuilds' answer: unchanged (keep it, refresh presences and voice states) or the whole state. */
export type GuildResume = {
  guildId: string;
  unchanged: boolean;
  version: number;
  state: GuildState | null;
  presences: Presence[] | null;
  /** With unchanged: who is in voice now (voice states have versions of their own, which the server's do not count). */
  voiceStates?: VoiceState[] | null;
};
export type GuildInvite = {
  code: string;
  guildId: string;
  guildName: string;
  createdBy: string;
  maxUses: number;
  uses: number;
  expiresAt: string | null;
  createdAt: string;
  memberCount: number;
};
export type GuildMembersChunk = {
  guildId: string;
  members: GuildMember[];
  chunkIndex: number;
  chunkCount: number;
  notFound: string[];
  presences: Presence[] | null;
  nonce: string | null;
};
export type GuildUpdated = { guildId: string; version: number; guild: GuildInfo };
export type GuildGone = { guildId: string; version?: number; reason?: string };
export type GuildRoleEvent = { guildId: string; version: number; role: GuildRole };
export type GuildRoleDeleted = { guildId: string; version: number; roleId: string };
export type GuildChannelEvent = { guildId: string; version: number; channel: GuildChannel };
export type GuildChannelDeleted = { guildId: string; version: number; channelId: string };
/** A channel that came into view through a change of permissions: its record, as it is now (no version). */
export type GuildChannelVisible = { guildId: string; channel: GuildChannel };
export type GuildMemberEvent = { guildId: string; version: number; member: GuildMember };
/** A bulk import left the server large: its new member count, in place of a GuildMemberAdded per member. */
export type GuildMembersImported = { guildId: string; version: number; memberCount: number; added: number };
export type GuildMemberRemoved = { guildId: string; version: number; userId: string; reason: string };

// ----- voice (docs/protocol.md, "Voice"): the state every member sees; the media is LiveKit's, not ours

/**
 * A user's voice state in a server. `channelId` null: they left voice there (or moved where the
 * reader cannot see). The self flags are the user's own, `mute`/`deaf` a moderator's; `version`
 * grows with each change of the server's voice states (its own counter, not the server's).
 */
export type VoiceState = {
  guildId: string;
  channelId: string | null;
  userId: string;
  sessionId: string;
  selfMute: boolean;
  selfDeaf: boolean;
  selfVideo: boolean;
  selfStream: boolean;
  mute: boolean;
  deaf: boolean;
  suppress: boolean;
  version: number;
};
/** JoinVoice's answer: the session, and where and with what the media would connect (LiveKit's URL and a 10-minute token). */
export type VoiceJoin = { sessionId: string; guildId: string; channelId: string; endpoint: string; token: string; state: VoiceState };
/** A new token for a session (a moderator moved the user, or changed their mute or deafen). */
export type VoiceServerUpdate = { userId: string; guildId: string; channelId: string; sessionId: string; endpoint: string; token: string };
export type VoiceEndReason = "left" | "moved" | "disconnected" | "moderator" | "permission" | "channel_deleted" | "media_left";
export type VoiceSessionEnded = { userId: string; guildId: string; channelId: string; sessionId: string; reason: VoiceEndReason | string };

/** The messages GetHistory pages by; the server clamps to 1..100. */
export const HistoryPageSize = 50;

/** A refusal's stable code, from "... HubException: <code>: <reason>"; null for anything else (a dropped connection). */
export function refusalCode(error: unknown): string | null {
  const message = error instanceof Error ? error.message : String(error);
  return /HubException: ([a-z_]+):/.exec(message)?.[1] ?? null;
}

const explanations: Record<string, string> = {
  rate_limited: "You are sending too fast. Wait a moment and try again.",
  message_empty: "The message is empty.",
  message_too_long: "A message is at most 4000 characters.",
  message_invalid_characters: "The message contains characters that cannot be sent.",
  message_not_found: "That message no longer exists.",
  reply_not_found: "The message you replied to no longer exists.",
  invalid_emoji: "That reaction is not a valid emoji.",
  too_many_reactions: "A message can have at most 20 different reactions.",
  channel_not_found: "No such channel (or it is private and you are not in it).",
  not_a_member: "Join the channel first.",
  member_not_found: "That user is not a member of the channel.",
  banned: "You are banned from that channel or server.",
  forbidden: "You are not allowed to do that.",
  owner_cannot_leave: "The owner cannot leave the channel.",
  too_many_channels: "You are in too many channels.",
  too_many_connections: "You have too many open windows or devices connected.",
  invalid_argument: "That is not a valid value.",
  token_expired: "Your session expired. Sign in again.",
  storage_unavailable: "The server could not store that right now. Try again.",
  unavailable: "The server did not answer in time. Try again.",
  internal_error: "Something went wrong on the server.",
  guild_not_found: "No such server (or you are not in it).",
  role_not_found: "No such role.",
  guild_full: "That server is full.",
  too_many_guilds: "You are in too many servers.",
  invite_invalid: "That invite is invalid, expired or used up.",
  limit_reached: "A limit is reached (a server's, or 1,000 friends, 5,000 blocked users, or 500 notification settings).",
  voice_channel_full: "That voice channel is full.",
  voice_unavailable: "Voice is not available: this cluster has no voice server configured.",
  not_in_voice: "You are not in a voice channel.",
  blocked: "That user is not accepting this from you.",
  request_not_found: "There is no such friend request any more.",
  not_friends: "You are not friends with that user.",
  not_blocked: "You have not blocked that user.",
  invitation_not_found: "That invitation is no longer there.",
};

/** A sentence for people: our wording for known codes, with the server's reason kept for context. */
export function describeRefusal(error: unknown): { code: string | null; text: string } {
  const code = refusalCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === null) {
    return { code, text: "Not connected to the server. It will be retried when the connection is back." };
  }
  const reason = message.slice(message.indexOf(`${code}:`) + code.length + 1).trim();
  const retry = /retryAfterMs=(\d+)/.exec(reason)?.[1];
  const base = explanations[code] ?? reason;
  const text = retry ? `${base} (retry in ${Math.ceil(Number(retry) / 1000)} s)` : base;
  return { code, text };
}
