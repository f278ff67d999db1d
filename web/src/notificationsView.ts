// Draws the notifications: the bell with the unread count, the inbox (who did what where, newest
// first, unread ones marked), the red mention badges of channels and servers, the settings dialog of
// a channel or server, and the push toggle. NotificationsClient and PushClient do the calls.
import { channelTitle } from "./connection";
import { byId, el } from "./dom";
import { badgeText, channelScope, guildScope, inboxItems, isSilenced } from "./notifications";
import type { Notification, NotificationKind } from "./protocol";
import type { Store } from "./state";

/** What the actor did, per kind: "alice mentioned you". */
const verbs: Record<NotificationKind, (n: Notification) => string> = {
  mention: () => "mentioned you",
  everyone: () => "mentioned @everyone",
  roleMention: () => "mentioned a role of yours",
  reply: () => "replied to you",
  directMessage: () => "sent you a direct message",
  reaction: (n) => `reacted ${n.excerpt ?? ""} to your message`,
  friendRequest: () => "sent you a friend request",
  friendAccepted: () => "accepted your friend request",
  invitation: (n) => `invited you to #${n.excerpt ?? "a channel"}`,
  message: () => "wrote",
};

/** A far-off mutedUntil stands for "until unmuted" (the protocol has only times). */
export const mutedForever = "9999-12-31T23:59:59Z";

export function renderNotifications(store: Store): void {
  renderBell(store);
  renderInbox(store);
  renderSettingsDialog(store);
}

/** The red count of unread mentions (the channel list, the server's channels, the rail). */
export function mentionBadge(count: number): HTMLElement | null {
  if (count <= 0) return null;
  return el("span", { class: "mentions", "data-testid": "mentions", "aria-label": `${count} mention${count === 1 ? "" : "s"}`, text: badgeText(count) });
}

/** A server's unread mentions: the sum over its channels. */
export function guildMentionCount(store: Store, channelIds: Iterable<string>): number {
  let sum = 0;
  for (const id of channelIds) sum += store.notifications.mentionCounts.get(id) ?? 0;
  return sum;
}

/** 🔕 beside a channel whose own or whose server's setting silences it. */
export function silencedIcon(store: Store, channelId: string, guildId: string | null | undefined): HTMLElement | null {
  const settings = store.notifications.settings;
  const silenced = isSilenced(settings.get(channelScope(channelId))) || (guildId ? isSilenced(settings.get(guildScope(guildId))) : false);
  return silenced ? el("span", { class: "silenced", "data-testid": "silenced", title: "Notifications off", "aria-label": "notifications off", text: "🔕" }) : null;
}

/** "alice mentioned you in #general (Club)": who, what, where. */
export function describe(store: Store, notification: Notification): { what: string; where: string } {
  const what = `${notification.actorId} ${verbs[notification.kind]?.(notification) ?? notification.kind}`;
  if (!notification.channelId || notification.kind === "directMessage" || notification.kind === "invitation") return { what, where: "" };
  const guild = notification.guildId ? store.guilds.get(notification.guildId) : undefined;
  const view = store.channels.get(notification.channelId);
  const name = guild?.channels.get(notification.channelId)?.name;
  const channel = name ? `#${name}` : view ? channelTitle(view, store.me?.id) : "a channel";
  // A channel made without a server is its own server, of the same id and name: named once.
  const server = guild && guild.info.id !== notification.channelId ? ` (${guild.info.name})` : "";
  return { what, where: `in ${channel}${server}` };
}

function renderBell(store: Store): void {
  const { unreadCount, inboxOpen } = store.notifications;
  const bell = byId("inbox-button");
  bell.setAttribute("aria-expanded", String(inboxOpen));
  bell.setAttribute("aria-label", unreadCount > 0 ? `Notifications, ${unreadCount} unread` : "Notifications");
  const count = byId("inbox-count");
  count.hidden = unreadCount === 0;
  count.textContent = badgeText(unreadCount);
}

function renderInbox(store: Store): void {
  const state = store.notifications;
  const panel = byId("inbox");
  panel.hidden = !state.inboxOpen;
  if (!state.inboxOpen) return;
  const items = inboxItems(state);
  const focused = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>("#inbox-list [data-seq]")?.dataset.seq;
  byId("inbox-list").replaceChildren(...items.map((n) => entry(store, n)));
  if (focused) byId("inbox-list").querySelector<HTMLElement>(`[data-seq="${CSS.escape(focused)}"] button`)?.focus();
  byId("inbox-empty").hidden = items.length > 0 || !state.loaded;
  const more = byId<HTMLButtonElement>("inbox-more");
  more.hidden = state.loaded && !state.hasOlder;
  more.disabled = state.loadingOlder;
  more.textContent = state.loadingOlder ? "Loading…" : "Load more";
  byId<HTMLButtonElement>("mark-all-read").disabled = state.unreadCount === 0;
  const push = byId<HTMLButtonElement>("push-toggle");
  push.hidden = !store.push.supported;
  push.disabled = store.push.busy;
  push.setAttribute("aria-pressed", String(store.push.enabled));
  push.textContent = store.push.enabled ? "Disable push notifications" : "Enable push notifications";
}

function entry(store: Store, notification: Notification): HTMLElement {
  const unread = notification.seq > store.notifications.ackedSeq;
  const { what, where } = describe(store, notification);
  const time = new Date(notification.createdAt);
  const today = time.toDateString() === new Date().toDateString();
  return el(
    "li",
    {
      class: `notification${unread ? " unread-notification" : ""}`,
      "data-testid": "notification",
      "data-seq": String(notification.seq),
      "data-kind": notification.kind,
      "data-unread": String(unread),
    },
    el(
      "button",
      { type: "button", class: "notification-open", "aria-label": `${unread ? "Unread: " : ""}${what} ${where}`.trim() },
      el("span", { class: "notification-what", text: what }),
      where ? el("span", { class: "notification-where", text: ` ${where}` }) : null,
      notification.excerpt && notification.kind !== "reaction" && notification.kind !== "invitation"
        ? el("span", { class: "notification-excerpt", "data-testid": "notification-excerpt", text: readableMentions(notification.excerpt) })
        : null,
      el("time", {
        datetime: notification.createdAt,
        title: time.toLocaleString(),
        text: today ? time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : time.toLocaleDateString(),
      }),
    ),
  );
}

/** Fills the dialog from the scope's setting when it opens; while open, what the user picks stays. */
function renderSettingsDialog(store: Store): void {
  const dialog = byId<HTMLDialogElement>("notification-settings-dialog");
  const scope = store.notifications.editingScope;
  if (!scope) {
    if (dialog.open) dialog.close();
    return;
  }
  if (dialog.open && dialog.dataset.scope === scope) return;
  dialog.dataset.scope = scope;
  const [kind, id] = [scope.slice(0, scope.indexOf(":")), scope.slice(scope.indexOf(":") + 1)];
  const guild = kind === "guild" ? store.guilds.get(id) : undefined;
  const view = kind === "channel" ? store.channels.get(id) : undefined;
  byId("notification-settings-title").textContent = `Notifications for ${guild ? guild.info.name : view ? channelTitle(view, store.me?.id) : "this channel"}`;
  byId("notification-settings-help").textContent =
    kind === "guild" ? "Channels of this server follow these unless set on their own." : "Unset (default), the server's setting applies, then “Only mentions”.";
  const setting = store.notifications.settings.get(scope);
  byId<HTMLSelectElement>("notification-level").value = setting?.level ?? "";
  const mute = byId<HTMLSelectElement>("notification-mute");
  const keep = byId<HTMLOptionElement>("notification-mute-keep");
  const until = setting?.mutedUntil && Date.parse(setting.mutedUntil) > Date.now() ? new Date(setting.mutedUntil) : null;
  keep.hidden = until === null;
  keep.textContent = until === null ? "" : until.getUTCFullYear() >= 9999 ? "Muted until you unmute" : `Muted until ${until.toLocaleString()}`;
  mute.value = until === null ? "" : "keep";
  byId<HTMLInputElement>("notification-suppress-everyone").checked = setting?.suppressEveryone ?? false;
  byId<HTMLInputElement>("notification-suppress-roles").checked = setting?.suppressRoles ?? false;
  if (!dialog.open) dialog.showModal();
}

/** An excerpt as the message view shows it: "<@alice>" as "@alice" (the excerpt is plain text, never HTML). */
export function readableMentions(text: string): string {
  return text.replace(/<@&?([A-Za-z0-9_.-]{1,64})>/g, "@$1");
}

/** Scrolls to the message a notification was about and marks it for a moment. */
export function revealHighlighted(store: Store): void {
  const id = store.highlightMessageId;
  if (!id) return;
  const node = byId("message-list").querySelector<HTMLElement>(`[data-message-id="${CSS.escape(id)}"]`);
  if (!node) return;
  store.highlightMessageId = null;
  node.scrollIntoView({ block: "center" });
  node.classList.add("highlighted");
  node.dataset.highlighted = "true";
  setTimeout(() => node.classList.remove("highlighted"), 2000);
}
