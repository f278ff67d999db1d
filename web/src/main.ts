// The page: sign-in, then one ChatClient on this page's own gateway, and the user's input wired to it.
import "./style.css";
import { ChatClient } from "./connection";
import { FriendsClient, type FriendAction } from "./friendsClient";
import { GuildClient } from "./guildClient";
import { channelScope, guildScope } from "./notifications";
import { NotificationsClient } from "./notificationsClient";
import { mutedForever } from "./notificationsView";
import { describeRefusal, refusalCode, type Channel, type ChosenStatus, type JoinResult, type Message, type Notification, type NotificationLevel } from "./protocol";
import { PushClient } from "./pushClient";
import { Renderer } from "./render";
import { Store } from "./state";
import { VoiceClient } from "./voiceClient";

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Kept per tab (sessionStorage): a reload stays signed in, and two tabs can be two users. */
type Session = { token: string };
const sessionKey = "cryb.session";

function savedSession(): Session | null {
  try {
    return JSON.parse(sessionStorage.getItem(sessionKey) ?? "null") as Session | null;
  } catch {
    return null;
  }
}

async function devToken(userId: string, displayName: string): Promise<string> {
  const response = await fetch("/auth/dev-token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId, displayName: displayName || userId }),
  });
  if (response.status === 404 || response.status === 405) {
    throw new Error("This gateway does not issue development tokens: sign in with a token instead.");
  }
  if (!response.ok) {
    const problem = (await response.json().catch(() => null)) as { detail?: string } | null;
    throw new Error(problem?.detail ?? `Sign-in failed (HTTP ${response.status}).`);
  }
  return ((await response.json()) as { token: string }).token;
}

function setupSignIn(): void {
  const form = byId<HTMLFormElement>("signin-form");
  const error = byId("signin-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const pasted = byId<HTMLTextAreaElement>("signin-token").value.trim();
    const userId = byId<HTMLInputElement>("signin-user").value.trim();
    try {
      const token = pasted || (await devToken(userId, byId<HTMLInputElement>("signin-display").value.trim()));
      sessionStorage.setItem(sessionKey, JSON.stringify({ token } satisfies Session));
      startApp({ token });
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
    }
  });
  // A pasted token makes the user name unnecessary.
  byId<HTMLTextAreaElement>("signin-token").addEventListener("input", (event) => {
    byId<HTMLInputElement>("signin-user").required = (event.target as HTMLTextAreaElement).value.trim() === "";
  });
}

function signOut(reason?: string): void {
  sessionStorage.removeItem(sessionKey);
  sessionStorage.removeItem("cryb.activeChannel");
  if (reason) sessionStorage.setItem("cryb.signoutReason", reason);
  location.reload();
}

function startApp(session: Session): void {
  byId("signin").hidden = true;
  byId("app").hidden = false;
  const store = new Store();
  const renderer = new Renderer(store);
  store.subscribe(() => renderer.render());
  // guilds=resume: Ready lists the servers' versions only, and GuildClient resumes them (ResumeGuilds),
  // so a reconnect sends again only the servers that changed meanwhile.
  const client = new ChatClient(store, "/hubs/chat?guilds=resume", session.token, (reason) => signOut(reason));
  const guilds = new GuildClient(store, client);
  const voice = new VoiceClient(store, client, guilds);
  const friends = new FriendsClient(store, client);
  const notifications = new NotificationsClient(store, client, guilds);
  const push = new PushClient(store, client);
  // The gateway serves this page at /invite/CODE too: the preview shows once connected.
  const code = /^\/invite\/([A-Za-z0-9]{1,64})\/?$/.exec(location.pathname)?.[1];
  if (code) store.invite = { code, preview: null, error: null };
  store.subscribe(() => guilds.ensureMembers());
  wire(store, client, push);
  wireGuilds(store, guilds);
  wireVoice(voice);
  wireFriends(friends, client);
  wireNotifications(store, notifications, push);
  store.changed();
  void client.start();
  // For the browser tests and the curious: the state is inspectable from the console.
  (window as unknown as { cryb: unknown }).cryb = { store, client, guilds, voice, friends, notifications, push };
}

/** The rail, the server's channels, and the create-server, invite and leave buttons. */
function wireGuilds(store: Store, guilds: GuildClient): void {
  byId("rail").addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLElement>("[data-guild-id]");
    if (!button) return;
    const guildId = button.dataset.guildId;
    if (guildId) void guilds.openGuild(guildId);
    else guilds.openHome();
  });
  byId("guild-channels").addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLElement>("[data-channel-id]");
    if (!button) return;
    void guilds.openChannel(button.dataset.channelId!);
    byId("toggle-sidebar").setAttribute("aria-expanded", "false");
    byId("app").classList.remove("sidebar-open");
  });

  const dialog = byId<HTMLDialogElement>("create-guild-dialog");
  const name = byId<HTMLInputElement>("create-guild-name");
  byId("add-guild").addEventListener("click", () => {
    name.value = "";
    dialog.showModal();
  });
  byId("cancel-create-guild").addEventListener("click", () => dialog.close());
  formSubmit("create-guild-form", async () => {
    if (await guilds.createGuild(name.value.trim())) dialog.close();
  });

  byId("create-invite").addEventListener("click", () => store.selectedGuildId && void guilds.createInvite(store.selectedGuildId));
  byId("invite-link").addEventListener("focus", (event) => (event.target as HTMLInputElement).select());
  byId("leave-guild").addEventListener("click", () => store.selectedGuildId && void guilds.leaveGuild(store.selectedGuildId));
  byId("accept-invite").addEventListener("click", () => void guilds.acceptInvite());
  byId("dismiss-invite").addEventListener("click", () => guilds.dismissInvite());
  // Escape closes a modal dialog by itself: the invite is then dismissed, not shown again.
  byId("invite-dialog").addEventListener("cancel", () => guilds.dismissInvite());
}

/** The friends panel: a request or a block by user id, and each relationship's buttons. */
function wireFriends(friends: FriendsClient, client: ChatClient): void {
  const input = byId<HTMLInputElement>("friend-user");
  formSubmit("friend-form", async () => {
    if (await friends.act("request", input.value.trim())) input.value = "";
  });
  byId("block-user").addEventListener("click", async () => {
    if (input.value.trim() && (await friends.act("block", input.value.trim()))) input.value = "";
  });
  byId("invitation-list").addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLElement>("[data-invitation-answer]");
    if (button?.dataset.channelId) void friends.answer(button.dataset.channelId, button.dataset.invitationAnswer === "accept");
  });
  byId("friend-list").addEventListener("click", async (event) => {
    const button = (event.target as HTMLElement).closest<HTMLElement>("[data-friend-action]");
    const userId = button?.dataset.userId;
    if (!button || !userId) return;
    const action = button.dataset.friendAction as FriendAction | "message";
    if (action !== "message") {
      await friends.act(action, userId);
      return;
    }
    const channel = await client.attempt<Channel>("OpenDirectMessage", userId);
    if (channel) await client.adopt(channel);
  });
}

/** Join and Leave beside each voice channel, and the voice panel's Mute, Deafen and Leave. */
function wireVoice(voice: VoiceClient): void {
  byId("guild-channels").addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLElement>("[data-voice-action]");
    const channelId = button?.dataset.voiceChannelId;
    if (!button || !channelId) return;
    if (button.dataset.voiceAction === "join") void voice.join(channelId);
    else void voice.leave();
  });
  byId("voice-mute").addEventListener("click", () => void voice.toggleMute());
  byId("voice-deafen").addEventListener("click", () => void voice.toggleDeaf());
  byId("voice-leave").addEventListener("click", () => void voice.leave());
  // The token is for copying into a media client: selected whole when focused.
  byId("voice-token").addEventListener("focus", (event) => (event.target as HTMLTextAreaElement).select());
}

/** The bell and its inbox, the settings dialog of a channel or server, the push toggle, and the service worker's clicks. */
function wireNotifications(store: Store, notifications: NotificationsClient, push: PushClient): void {
  const inbox = byId("inbox");
  byId("inbox-button").addEventListener("click", () => {
    notifications.toggleInbox();
    push.probe();
  });
  byId("mark-all-read").addEventListener("click", () => void notifications.markAllRead());
  byId("inbox-more").addEventListener("click", () => void notifications.loadOlder());
  byId("inbox-list").addEventListener("click", (event) => {
    const seq = (event.target as HTMLElement).closest<HTMLElement>("[data-seq]")?.dataset.seq;
    const notification = seq ? store.notifications.items.get(Number(seq)) : undefined;
    if (notification) void notifications.open(notification);
  });
  byId("push-toggle").addEventListener("click", () => void (store.push.enabled ? push.disable() : push.enable()));
  // Escape or a click elsewhere closes the inbox.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && store.notifications.inboxOpen) {
      notifications.toggleInbox(false);
      byId("inbox-button").focus();
    }
  });
  document.addEventListener("pointerdown", (event) => {
    const target = event.target as Node;
    if (store.notifications.inboxOpen && !inbox.contains(target) && !byId("inbox-button").contains(target)) notifications.toggleInbox(false);
  });

  byId("channel-notification-settings").addEventListener("click", () => store.activeId && notifications.editSettings(channelScope(store.activeId)));
  byId("guild-notification-settings").addEventListener("click", () => store.selectedGuildId && notifications.editSettings(guildScope(store.selectedGuildId)));
  const dialog = byId<HTMLDialogElement>("notification-settings-dialog");
  byId("cancel-notification-settings").addEventListener("click", () => notifications.editSettings(null));
  dialog.addEventListener("close", () => notifications.editSettings(null));
  formSubmit("notification-settings-form", async () => {
    const scope = store.notifications.editingScope;
    if (!scope) return;
    const level = (byId<HTMLSelectElement>("notification-level").value || null) as NotificationLevel | null;
    const mute = byId<HTMLSelectElement>("notification-mute").value;
    const mutedUntil =
      mute === "" ? null
      : mute === "keep" ? (store.notifications.settings.get(scope)?.mutedUntil ?? null)
      : mute === "forever" ? mutedForever
      : new Date(Date.now() + Number(mute) * 3_600_000).toISOString();
    const saved = await notifications.updateSettings(
      scope,
      level,
      mutedUntil,
      byId<HTMLInputElement>("notification-suppress-everyone").checked,
      byId<HTMLInputElement>("notification-suppress-roles").checked,
    );
    if (saved) notifications.editSettings(null);
  });

  // A click on a system notification (public/sw.js) in a window already open: open what it is about.
  navigator.serviceWorker?.addEventListener("message", (event: MessageEvent<{ type?: string; notification?: Notification }>) => {
    if (event.data?.type === "cryb.open-notification" && event.data.notification) void notifications.open(event.data.notification);
  });
}

function wire(store: Store, client: ChatClient, push: PushClient): void {
  const composer = byId<HTMLTextAreaElement>("composer-input");

  const send = () => {
    const view = store.active;
    const content = composer.value.trim();
    if (!view || content === "") return;
    client.send(view.channel.id, content, store.replyTo?.id ?? null);
    composer.value = "";
    store.replyTo = null;
    store.changed();
    client.typing(view.channel.id, false);
  };

  byId("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  composer.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === "Escape" && store.replyTo) {
      store.replyTo = null;
      store.changed();
    }
  });
  composer.addEventListener("input", () => {
    if (store.activeId) client.typing(store.activeId, composer.value.trim() !== "");
  });
  byId("cancel-reply").addEventListener("click", () => {
    store.replyTo = null;
    store.changed();
    composer.focus();
  });

  byId("channel-list").addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLElement>("[data-channel-id]");
    if (!button) return;
    void client.openChannel(button.dataset.channelId!);
    closeSidebar();
    composer.focus();
  });

  formSubmit("create-form", async () => {
    const name = byId<HTMLInputElement>("create-name");
    const channel = await client.attempt<Channel>("CreateChannel", name.value.trim(), byId<HTMLInputElement>("create-private").checked);
    if (channel) {
      name.value = "";
      await client.adopt(channel);
      closeSidebar();
    }
  });
  formSubmit("join-form", async () => {
    const input = byId<HTMLInputElement>("join-id");
    const joined = await client.attempt<JoinResult>("JoinChannel", input.value.trim(), null);
    if (joined) {
      input.value = "";
      await client.adopt(joined.channel);
      closeSidebar();
    }
  });
  formSubmit("dm-form", async () => {
    const input = byId<HTMLInputElement>("dm-user");
    const channel = await client.attempt<Channel>("OpenDirectMessage", input.value.trim());
    if (channel) {
      input.value = "";
      await client.adopt(channel);
      closeSidebar();
    }
  });
  formSubmit("invite-form", async () => {
    const input = byId<HTMLInputElement>("invite-user");
    if (!store.activeId) return;
    try {
      await client.invoke("InviteToChannel", store.activeId, input.value.trim());
      // An invitation: they join when they accept it.
      store.showNotice(`Invitation sent to ${input.value.trim()}.`, null);
      input.value = "";
    } catch (error) {
      store.showNotice(describeRefusal(error).text, refusalCode(error));
    }
  });
  formSubmit("me-form", async () => {
    const activity = byId<HTMLInputElement>("my-activity").value.trim();
    await client.setPresence(byId<HTMLSelectElement>("my-status").value as ChosenStatus, activity ? { kind: "custom", name: activity } : null);
  });
  byId("my-status").addEventListener("change", () => byId<HTMLFormElement>("me-form").requestSubmit());
  byId("sign-out").addEventListener("click", () => {
    void push
      .signOut()
      .then(() => client.stop())
      .finally(() => signOut());
  });
  byId("dismiss-notice").addEventListener("click", () => {
    store.notice = null;
    store.changed();
  });

  // Older history: when scrolled to the top, or with the button (keyboard users).
  const scroller = byId("messages");
  scroller.addEventListener("scroll", () => {
    if (scroller.scrollTop < 80 && store.activeId) void client.loadOlder(store.activeId);
  });
  byId("load-older").addEventListener("click", () => store.activeId && void client.loadOlder(store.activeId));

  // Message actions, by delegation: the message nodes are redrawn as they change.
  const list = byId("message-list");
  list.addEventListener("click", (event) => {
    const target = (event.target as HTMLElement).closest<HTMLElement>("[data-action]");
    const view = store.active;
    if (!target || !view) return;
    const nonce = target.dataset.nonce;
    if (target.dataset.action === "retry-send" && nonce) return client.retrySend(nonce);
    if (target.dataset.action === "discard-send" && nonce) {
      store.pending.delete(nonce);
      return store.changed();
    }
    const messageId = target.closest<HTMLElement>("[data-message-id]")?.dataset.messageId;
    const message = messageId ? view.messages.get(messageId) : undefined;
    if (!message) return;
    const channelId = view.channel.id;
    switch (target.dataset.action) {
      case "show-blocked":
        store.revealed.add(message.id);
        store.changed();
        break;
      case "reply":
        store.replyTo = message;
        store.changed();
        composer.focus();
        break;
      case "react":
      case "toggle-reaction": {
        const emoji = target.dataset.emoji!;
        const mine = message.reactions.find((r) => r.emoji === emoji)?.userIds.includes(store.me?.id ?? "");
        void client.attempt(mine ? "RemoveReaction" : "AddReaction", channelId, message.id, emoji);
        break;
      }
      case "edit":
        store.editingId = message.id;
        store.changed();
        break;
      case "cancel-edit":
        store.editingId = null;
        store.changed();
        break;
      case "delete":
        if (confirm("Delete this message?")) void client.attempt("DeleteMessage", channelId, message.id);
        break;
    }
  });
  const saveEdit = async (form: HTMLFormElement) => {
    const view = store.active;
    const messageId = form.dataset.messageId!;
    const content = form.querySelector("textarea")!.value.trim();
    if (!view) return;
    const edited = await client.attempt<Message>("EditMessage", view.channel.id, messageId, content);
    if (edited) {
      store.editingId = null;
      store.upsertMessage(edited);
      store.changed();
      composer.focus();
    }
  };
  list.addEventListener("submit", (event) => {
    event.preventDefault();
    void saveEdit(event.target as HTMLFormElement);
  });
  list.addEventListener("keydown", (event) => {
    const target = event.target as HTMLElement;
    if (!target.classList.contains("edit-input")) return;
    if (event.key === "Escape") {
      store.editingId = null;
      store.changed();
      composer.focus();
    } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void saveEdit(target.closest("form")!);
    }
  });

  // The read position follows the reader: back on the tab, the open channel is read.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && store.activeId) {
      store.active!.unread = 0;
      void client.markRead(store.activeId);
    }
  });
  for (const kind of ["keydown", "pointerdown"]) document.addEventListener(kind, () => client.reportActivity(), { passive: true });

  // The narrow layout hides the sidebar behind a button.
  const toggle = byId("toggle-sidebar");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    byId("app").classList.toggle("sidebar-open", open);
  });
  function closeSidebar() {
    toggle.setAttribute("aria-expanded", "false");
    byId("app").classList.remove("sidebar-open");
  }
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && byId("app").classList.contains("sidebar-open")) closeSidebar();
  });
}

function formSubmit(id: string, handler: () => Promise<void>): void {
  byId<HTMLFormElement>(id).addEventListener("submit", (event) => {
    event.preventDefault();
    void handler();
  });
}

// A system notification clicked with no window open opens /?channel=ID (public/sw.js): that channel
// opens once connected, as the one last open in this tab would.
const linkedChannel = new URLSearchParams(location.search).get("channel");
if (linkedChannel) {
  sessionStorage.setItem("cryb.activeChannel", linkedChannel);
  history.replaceState(null, "", location.pathname);
}

const session = savedSession();
const reason = sessionStorage.getItem("cryb.signoutReason");
if (reason) {
  byId("signin-error").textContent = reason;
  sessionStorage.removeItem("cryb.signoutReason");
}
setupSignIn();
if (session) startApp(session);
