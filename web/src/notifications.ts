// What the page knows of the user's notifications (docs/notifications.md), and the only code that
// changes it. Notifications are keyed by their seq in the user's gapless sequence, so one that comes
// live and again in ResumeNotifications' answer or a page of GetNotifications is held once, and
// counted (the bell, a channel's mention badge) once.
import { mentionKinds, type Notification, type NotificationSetting, type NotificationSummary } from "./protocol";

export type NotificationsState = {
  /** Every notification the page holds, by seq: the inbox draws them newest first. */
  items: Map<number, Notification>;
  /**
   * The highest seq up to which the page holds every notification (from the seq the page started
   * from): what ResumeNotifications is given, and what is kept in localStorage so a reload resumes
   * from it. Null until the first Ready on a browser that never held one.
   */
  heldSeq: number | null;
  /** The read cursor: notifications at or below it are read. */
  ackedSeq: number;
  unreadCount: number;
  /**
   * The counts (unread, mentions) came with Ready and include every notification up to this seq;
   * a notification after it, new to the page, adds to them.
   */
  countedThrough: number;
  /** Unread mentions per channel id (the red badges); absent: none. */
  mentionCounts: Map<string, number>;
  /** The inbox's paging: the newest page was asked for, and whether older ones may exist. */
  loaded: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  inboxOpen: boolean;
  /** The scopes the user set (`guild:<id>`, `channel:<id>`), from GetNotificationSettings. */
  settings: Map<string, NotificationSetting>;
  /** The scope whose settings dialog is open. */
  editingScope: string | null;
  /** The last ResumeNotifications run: from which seq, how many it brought (for the curious and the browser test). */
  lastResume: { fromSeq: number; received: number; toSeq: number } | null;
};

export function emptyNotifications(): NotificationsState {
  return {
    items: new Map(),
    heldSeq: null,
    ackedSeq: 0,
    unreadCount: 0,
    countedThrough: 0,
    mentionCounts: new Map(),
    loaded: false,
    hasOlder: true,
    loadingOlder: false,
    inboxOpen: false,
    settings: new Map(),
    editingScope: null,
    lastResume: null,
  };
}

/** Ready's summary: the counts are the server's from here on; what the page holds stays (it is still true). */
export function applySummary(state: NotificationsState, summary: NotificationSummary, channelMentions: Map<string, number>): void {
  // A cluster whose sequence is behind what this browser held (its data was reset): start over.
  if (state.heldSeq !== null && state.heldSeq > summary.lastSeq) {
    state.items.clear();
    state.heldSeq = null;
    state.loaded = false;
    state.hasOlder = true;
  }
  state.ackedSeq = summary.ackedSeq;
  state.unreadCount = summary.unreadCount;
  state.countedThrough = summary.lastSeq;
  state.mentionCounts = new Map([...Object.entries(summary.mentionCounts ?? {}), ...channelMentions].filter(([, count]) => count > 0));
}

/**
 * Adds one notification; true if it was new to the page. One after Ready's counts adds to the unread
 * count and, if it counts as a mention in a channel the user has not read past it, to that channel's
 * badge (`readSeqOf` gives the page's read position in a channel, or null if it follows none).
 */
export function addNotification(state: NotificationsState, notification: Notification, readSeqOf: (channelId: string) => number | null): boolean {
  if (state.items.has(notification.seq)) return false;
  state.items.set(notification.seq, notification);
  if (notification.seq > state.countedThrough) {
    if (notification.seq > state.ackedSeq) state.unreadCount++;
    const channelId = notification.channelId;
    const readSeq = channelId ? readSeqOf(channelId) : null;
    if (channelId && mentionKinds.has(notification.kind) && (readSeq === null || (notification.messageSeq ?? Infinity) > readSeq)) {
      state.mentionCounts.set(channelId, (state.mentionCounts.get(channelId) ?? 0) + 1);
    }
  }
  if (state.heldSeq !== null) while (state.items.has(state.heldSeq + 1)) state.heldSeq++;
  return true;
}

/** The read cursor moved (this device's AckNotifications, or another's): only forward. */
export function applyAck(state: NotificationsState, ackedSeq: number, unreadCount: number): void {
  if (ackedSeq < state.ackedSeq) return;
  state.ackedSeq = ackedSeq;
  // A notification that came after the server counted is held here already: never show fewer than those.
  const heldUnread = [...state.items.keys()].filter((seq) => seq > ackedSeq).length;
  state.unreadCount = Math.max(unreadCount, heldUnread);
}

/** A channel's unread mentions as the server counted them (ReadStateUpdated after a MarkRead). */
export function setMentionCount(state: NotificationsState, channelId: string, count: number): void {
  if (count > 0) state.mentionCounts.set(channelId, count);
  else state.mentionCounts.delete(channelId);
}

/** "99+" past 99, as the channel badges do. */
export const badgeText = (count: number) => (count > 99 ? "99+" : String(count));

/** Newest first. */
export function inboxItems(state: NotificationsState): Notification[] {
  return [...state.items.values()].sort((a, b) => b.seq - a.seq);
}

export const channelScope = (channelId: string) => `channel:${channelId}`;
export const guildScope = (guildId: string) => `guild:${guildId}`;

/** Whether a scope notifies nothing now: level none, or muted until later. */
export function isSilenced(setting: NotificationSetting | undefined, now = Date.now()): boolean {
  if (!setting) return false;
  return setting.level === "none" || (setting.mutedUntil !== null && Date.parse(setting.mutedUntil) > now);
}
