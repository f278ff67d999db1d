// The page's side of notifications (docs/notifications.md) on the one connection: Ready's summary,
// NotificationCreated, NotificationsAcked and ReadStateUpdated's mention counts, resuming what was
// missed (ResumeNotifications from the highest seq held, kept per user in localStorage so a reload
// resumes too), the inbox's pages, "Mark all read", opening a notification, and the settings.
import type { ChatClient } from "./connection";
import type { GuildClient } from "./guildClient";
import { addNotification, applyAck, applySummary, setMentionCount, type NotificationsState } from "./notifications";
import {
  describeRefusal,
  type Notification,
  type NotificationLevel,
  type NotificationResume,
  type NotificationSetting,
  type NotificationsAcked,
  type Ready,
  type ReadStateUpdated,
} from "./protocol";
import type { Store } from "./state";

/** Notifications per page of the inbox (GetNotifications takes 1 to 100). */
const pageSize = 25;

/** Pages of history loaded at most to reach a notification's message before giving up on scrolling to it. */
const revealPages = 4;

const heldSeqKey = (userId: string) => `cryb.notifications.heldSeq.${userId}`;

export class NotificationsClient {
  /** The ResumeNotifications loop running now; a gap noticed meanwhile runs it once more. */
  private resume: { queued: boolean; done: Promise<void> } | null = null;
  private userId: string | null = null;

  constructor(
    private readonly store: Store,
    private readonly client: ChatClient,
    private readonly guilds: GuildClient,
  ) {
    client.on<Ready>("Ready", (ready) => void this.onReady(ready));
    client.on<Notification>("NotificationCreated", (notification) => this.onCreated(notification));
    client.on<NotificationsAcked>("NotificationsAcked", (acked) => {
      applyAck(this.state, acked.ackedSeq, acked.unreadCount);
      store.changed();
    });
    client.on<ReadStateUpdated>("ReadStateUpdated", (read) => {
      // The server counts what the read position leaves unread: after a MarkRead, usually none.
      if (read.mentionCount === undefined || read.mentionCount === null) return;
      setMentionCount(this.state, read.channelId, read.mentionCount);
      store.changed();
    });
  }

  private get state(): NotificationsState {
    return this.store.notifications;
  }

  /** The inbox's "Load more" (and its first page): GetNotifications before the oldest held. */
  async loadOlder(): Promise<void> {
    const state = this.state;
    if (state.loadingOlder || (state.loaded && !state.hasOlder)) return;
    state.loadingOlder = true;
    this.store.changed();
    try {
      const before = state.loaded && state.items.size > 0 ? Math.min(...state.items.keys()) : null;
      const page = await this.client.invoke<Notification[]>("GetNotifications", before, pageSize, false);
      for (const notification of page) this.add(notification);
      state.hasOlder = page.length === pageSize;
      state.loaded = true;
    } catch (error) {
      const { code, text } = describeRefusal(error);
      this.store.showNotice(text, code);
    } finally {
      state.loadingOlder = false;
      this.store.changed();
    }
  }

  /** "Mark all read": the read cursor to the newest notification the page knows of. */
  async markAllRead(): Promise<void> {
    const state = this.state;
    const newest = Math.max(state.countedThrough, state.heldSeq ?? 0, ...state.items.keys());
    if (newest <= state.ackedSeq) return;
    const acked = await this.client.attempt<NotificationsAcked>("AckNotifications", newest);
    if (!acked) return;
    applyAck(state, acked.ackedSeq, acked.unreadCount);
    this.store.changed();
  }

  toggleInbox(open = !this.state.inboxOpen): void {
    this.state.inboxOpen = open;
    this.store.changed();
    if (open && !this.state.loaded && this.store.connection === "connected") void this.loadOlder();
  }

  /**
   * Opens what a notification is about: its channel (and its message, when history reaches it), or
   * home for a friend request; an invitation's channel is not the user's yet (it waits at home).
   */
  async open(notification: Notification): Promise<void> {
    this.toggleInbox(false);
    const { channelId, guildId } = notification;
    const guild = guildId ? this.store.guilds.get(guildId) : undefined;
    if (channelId && this.store.channels.has(channelId)) {
      await this.client.openChannel(channelId);
    } else if (channelId && guild?.channels.has(channelId)) {
      this.store.selectedGuildId = guild.info.id;
      await this.guilds.openChannel(channelId);
    } else if (guild) {
      await this.guilds.openGuild(guild.info.id);
      return;
    } else {
      this.guilds.openHome();
      return;
    }
    if (notification.messageId) await this.reveal(notification.channelId!, notification.messageId, notification.messageSeq);
  }

  /** Loads older history until the message is in (a few pages at most), then asks the page to scroll to it. */
  private async reveal(channelId: string, messageId: string, messageSeq: number | null): Promise<void> {
    for (let page = 0; page < revealPages; page++) {
      const view = this.store.channels.get(channelId);
      if (!view || view.messages.has(messageId) || view.deletedIds.has(messageId)) break;
      const older = messageSeq !== null && view.oldestLoadedSeq !== null && messageSeq < view.oldestLoadedSeq;
      if (!older || !view.hasOlder) break;
      await this.client.loadOlder(channelId);
    }
    const view = this.store.channels.get(channelId);
    if (this.store.activeId === channelId && view?.messages.has(messageId)) {
      this.store.highlightMessageId = messageId;
      this.store.changed();
    }
  }

  /** The scopes the user set; a scope missing inherits. */
  async loadSettings(): Promise<void> {
    const settings = await this.client.invoke<NotificationSetting[]>("GetNotificationSettings");
    this.state.settings = new Map(settings.map((s) => [s.scope, s]));
    this.store.changed();
  }

  editSettings(scope: string | null): void {
    this.state.editingScope = scope;
    this.store.changed();
  }

  /** Replaces a scope's setting; one that changes nothing is removed by the server, and here. */
  async updateSettings(
    scope: string,
    level: NotificationLevel | null,
    mutedUntil: string | null,
    suppressEveryone: boolean,
    suppressRoles: boolean,
  ): Promise<boolean> {
    const saved = await this.client.attempt<NotificationSetting>("UpdateNotificationSettings", scope, level, mutedUntil, suppressEveryone, suppressRoles);
    if (!saved) return false;
    const isDefault = saved.level === null && saved.mutedUntil === null && !saved.suppressEveryone && !saved.suppressRoles;
    if (isDefault) this.state.settings.delete(saved.scope);
    else this.state.settings.set(saved.scope, saved);
    this.store.changed();
    return true;
  }

  /**
   * Ready: the counts become the server's; whatever came after the seq held (the page was offline,
   * or reloaded, or an event was lost) is fetched with ResumeNotifications until not truncated.
   */
  private async onReady(ready: Ready): Promise<void> {
    const summary = ready.notifications;
    if (!summary) return; // a gateway from before notifications
    const state = this.state;
    if (this.userId !== ready.user.id) {
      this.userId = ready.user.id;
      state.heldSeq ??= storedSeq(ready.user.id);
    }
    const channelMentions = new Map(ready.channels.filter((c) => typeof c.mentionCount === "number").map((c) => [c.channel.id, c.mentionCount!]));
    applySummary(state, summary, channelMentions);
    // A browser that never held any starts from now: older ones are in the inbox's pages.
    state.heldSeq ??= summary.lastSeq;
    this.persist();
    this.store.changed();
    try {
      if (summary.lastSeq > state.heldSeq) await this.requestResume();
      if (!state.loaded) await this.loadOlder();
      await this.loadSettings();
    } catch {
      // Dropped again: the next Ready starts over.
    }
  }

  private onCreated(notification: Notification): void {
    const state = this.state;
    this.add(notification);
    this.store.changed();
    // Something between the seq held and this one was not heard: fetch it.
    if (state.heldSeq !== null && notification.seq > state.heldSeq + 1) void this.requestResume().catch(() => undefined);
  }

  private add(notification: Notification): void {
    addNotification(this.state, notification, (channelId) => this.store.channels.get(channelId)?.lastReadSeq ?? null);
    this.persist();
  }

  private requestResume(): Promise<void> {
    if (this.resume) {
      this.resume.queued = true;
      return this.resume.done;
    }
    const running = { queued: true, done: Promise.resolve() };
    this.resume = running;
    running.done = this.resumeLoop(running).finally(() => (this.resume = null));
    return running.done;
  }

  private async resumeLoop(running: { queued: boolean }): Promise<void> {
    const state = this.state;
    const fromSeq = state.heldSeq ?? 0;
    let received = 0;
    while (running.queued) {
      running.queued = false;
      for (;;) {
        const held = state.heldSeq ?? 0;
        const answer = await this.client.invoke<NotificationResume>("ResumeNotifications", held);
        for (const notification of answer.notifications) this.add(notification);
        received += answer.notifications.length;
        // Past what the answer covered, nothing is missing (older ones may have expired: no gap to wait on).
        const covered = answer.truncated ? (answer.notifications.at(-1)?.seq ?? held) : answer.lastSeq;
        state.heldSeq = Math.max(state.heldSeq ?? 0, covered);
        while (state.items.has(state.heldSeq + 1)) state.heldSeq++;
        if (answer.ackedSeq > state.ackedSeq) applyAck(state, answer.ackedSeq, Math.max(0, answer.lastSeq - answer.ackedSeq));
        this.persist();
        this.store.changed();
        if (!answer.truncated || answer.notifications.length === 0) break;
      }
    }
    state.lastResume = { fromSeq, received, toSeq: state.heldSeq ?? 0 };
    this.store.changed();
  }

  private persist(): void {
    if (this.userId && this.state.heldSeq !== null) {
      try {
        localStorage.setItem(heldSeqKey(this.userId), String(this.state.heldSeq));
      } catch {
        // Storage full or refused (a private window): a reload then starts from Ready's seq.
      }
    }
  }
}

function storedSeq(userId: string): number | null {
  const value = Number(localStorage.getItem(heldSeqKey(userId)) ?? NaN);
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}

