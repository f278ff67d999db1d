// What the page knows, and the only code that changes it. Every change is idempotent, so an event
// seen twice (live and again in JoinChannel's `missed`) or a page of history overlapping live
// messages never shows anything twice: messages are keyed by id and only move forward by revisionSeq.
import type { GuildView } from "./guilds";
import { emptyNotifications, type NotificationsState } from "./notifications";
import type { Channel, GuildInvite, Member, Message, Presence, Reaction, Relationship, Role, Invitation } from "./protocol";
import type { VoiceSession } from "./voice";

export type ChannelView = {
  channel: Channel;
  role: Role | null;
  /** The highest seq applied from this channel; null until JoinChannel answered on some connection. */
  lastAppliedSeq: number | null;
  lastReadSeq: number;
  unread: number;
  messages: Map<string, Message>;
  /** Deleted message ids: a later history page or a late MessageCreated must not bring them back. */
  deletedIds: Set<string>;
  /** The seq of the oldest history page's oldest message; older messages are not shown until paged in. */
  oldestLoadedSeq: number | null;
  historyLoaded: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  members: Map<string, Member> | null;
  typing: string[];
};

/** A message the user sent that the server has not acknowledged yet; resent with the same nonce after a reconnect. */
export type PendingMessage = {
  nonce: string;
  channelId: string;
  content: string;
  replyToId: string | null;
  failed: string | null;
};

export type ConnectionState = "connecting" | "connected" | "reconnecting";

export class Store {
  me: { id: string; displayName: string } | null = null;
  myPresence: Presence | null = null;
  channels = new Map<string, ChannelView>();
  activeId: string | null = null;
  /** The user's servers, by id. */
  guilds = new Map<string, GuildView>();
  /** The server picked in the rail; null: the standalone channels and direct messages. */
  selectedGuildId: string | null = null;
  /** The standalone channel or direct message last opened, reopened by the rail's home entry. */
  lastHomeChannelId: string | null = null;
  /** An invite link this page was opened with (/invite/CODE), previewed until joined or dismissed. */
  invite: { code: string; preview: GuildInvite | null; error: string | null } | null = null;
  /** The link of the last invite this user created, shown under the server's name. */
  createdInvite: { guildId: string; url: string } | null = null;
  /** This page's voice session (JoinVoice's answer): null when this page is not in voice, even if another device is. */
  voice: VoiceSession | null = null;
  presence = new Map<string, Presence>();
  /** Friends, requests and blocks, by the other user's id (FriendsClient keeps it). */
  relationships = new Map<string, Relationship>();
  /** Invitations waiting for this user's answer, by channel id. */
  invitations = new Map<string, Invitation>();
  /** Messages of blocked users the user chose to see anyway ("Show"). */
  revealed = new Set<string>();
  pending = new Map<string, PendingMessage>();
  /** The inbox, the unread count, the mention badges and the settings (NotificationsClient keeps it). */
  notifications: NotificationsState = emptyNotifications();
  /** Web Push on this browser: whether it can, whether this page subscribed, a call under way (PushClient keeps it). */
  push: { supported: boolean; enabled: boolean; busy: boolean } = { supported: false, enabled: false, busy: false };
  /** A message to scroll to and mark once drawn (a notification was opened); cleared by the renderer. */
  highlightMessageId: string | null = null;
  connection: ConnectionState = "connecting";
  /** Set once the first Ready of this page was applied. */
  ready = false;
  replyTo: Message | null = null;
  editingId: string | null = null;
  notice: { text: string; code: string | null } | null = null;

  private listeners: (() => void)[] = [];
  private scheduled = false;

  subscribe(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Coalesces a burst of changes (a page of 50 messages) into one render. */
  changed(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const listener of this.listeners) listener();
    });
  }

  get active(): ChannelView | null {
    return this.activeId ? (this.channels.get(this.activeId) ?? null) : null;
  }

  ensureChannel(channel: Channel): ChannelView {
    let view = this.channels.get(channel.id);
    if (view) {
      view.channel = channel;
    } else {
      view = {
        channel,
        role: null,
        lastAppliedSeq: null,
        lastReadSeq: 0,
        unread: 0,
        messages: new Map(),
        deletedIds: new Set(),
        oldestLoadedSeq: null,
        historyLoaded: false,
        hasOlder: true,
        loadingOlder: false,
        members: null,
        typing: [],
      };
      this.channels.set(channel.id, view);
    }
    this.changed();
    return view;
  }

  removeChannel(channelId: string): void {
    this.channels.delete(channelId);
    for (const [nonce, pending] of this.pending) {
      if (pending.channelId === channelId) this.pending.delete(nonce);
    }
    if (this.activeId === channelId) {
      this.activeId = null;
      this.replyTo = null;
      this.editingId = null;
    }
    this.changed();
  }

  /** Creates or updates a message; returns true when it was new to this page. */
  upsertMessage(message: Message): boolean {
    const view = this.channels.get(message.channelId);
    if (!view) return false;
    if (message.nonce && message.authorId === this.me?.id) this.pending.delete(message.nonce);
    if (view.deletedIds.has(message.id)) return false;
    if (message.deleted) {
      this.deleteMessage(message.channelId, message.id);
      return false;
    }
    const existing = view.messages.get(message.id);
    if (existing && existing.revisionSeq >= message.revisionSeq) return false;
    view.messages.set(message.id, message);
    this.changed();
    return !existing;
  }

  deleteMessage(channelId: string, messageId: string): void {
    const view = this.channels.get(channelId);
    if (!view) return;
    view.deletedIds.add(messageId);
    view.messages.delete(messageId);
    if (this.editingId === messageId) this.editingId = null;
    if (this.replyTo?.id === messageId) this.replyTo = null;
    this.changed();
  }

  setReactions(channelId: string, messageId: string, seq: number, reactions: Reaction[]): void {
    const existing = this.channels.get(channelId)?.messages.get(messageId);
    if (!existing || existing.revisionSeq >= seq) return;
    this.channels.get(channelId)!.messages.set(messageId, { ...existing, reactions, revisionSeq: seq });
    this.changed();
  }

  setPresence(presence: Presence): void {
    this.presence.set(presence.userId, presence);
    if (presence.userId === this.me?.id) this.myPresence = presence;
    this.changed();
  }

  /** Whether a message shows collapsed: its author is blocked by this user, and the user did not ask to see it. */
  hidesMessageOf(message: Message): boolean {
    return this.relationships.get(message.authorId)?.kind === "blocked" && !this.revealed.has(message.id);
  }

  statusOf(userId: string, fallback: Member["status"] = null): Presence["status"] {
    return this.presence.get(userId)?.status ?? fallback ?? "offline";
  }

  /** Messages of a channel in seq order, from the oldest loaded page on. */
  visibleMessages(view: ChannelView): Message[] {
    const floor = view.oldestLoadedSeq ?? 0;
    return [...view.messages.values()].filter((m) => m.seq >= floor).sort((a, b) => a.seq - b.seq);
  }

  pendingIn(channelId: string): PendingMessage[] {
    return [...this.pending.values()].filter((p) => p.channelId === channelId);
  }

  showNotice(text: string, code: string | null = null): void {
    this.notice = { text, code };
    this.changed();
  }
}
