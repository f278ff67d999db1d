// Draws the store into the page. User content only ever goes through textContent, never innerHTML.
// Messages are keyed by id and redrawn only when their revision changes, so a focused button or an
// open edit box survives other messages arriving.
import { activityLabel } from "./activityLabel";
import { channelTitle } from "./connection";
import { byId, el } from "./dom";
import { renderFriends } from "./friendsView";
import { renderGuildSidebar } from "./guildSidebar";
import { mayManageMessages } from "./guilds";
import { MemberList } from "./memberList";
import { mentionBadge, renderNotifications, revealHighlighted, silencedIcon } from "./notificationsView";
import type { Message } from "./protocol";
import type { ChannelView, PendingMessage, Store } from "./state";
import { renderVoicePanel } from "./voiceView";

export const quickReactions = ["👍", "❤️", "😂", "🎉"];

export class Renderer {
  private readonly rendered = new Map<string, { key: string; node: HTMLElement }>();
  private renderedChannel: string | null = null;
  private readonly memberList: MemberList;

  constructor(private readonly store: Store) {
    this.memberList = new MemberList(store);
  }

  render(): void {
    const store = this.store;
    const banner = byId("banner");
    banner.hidden = store.connection === "connected";
    banner.textContent = store.ready
      ? "Connection lost. Reconnecting… Messages you send now are delivered when it is back."
      : "Connecting…";
    byId("app").setAttribute("aria-busy", String(!store.ready));
    this.renderMe();
    renderGuildSidebar(store);
    renderVoicePanel(store);
    renderFriends(store);
    renderNotifications(store);
    this.renderChannels();
    this.renderConversation();
    this.renderMembers();
    const notice = byId("notice");
    notice.hidden = store.notice === null;
    byId("notice-text").textContent = store.notice?.text ?? "";
    notice.dataset.code = store.notice?.code ?? "";
  }

  private renderMe(): void {
    const { me, myPresence } = this.store;
    byId("me-name").textContent = me ? `${me.displayName} (${me.id})` : "";
    const status = byId<HTMLSelectElement>("my-status");
    if (myPresence && document.activeElement !== status) {
      // Others see "invisible" as offline; we show our own choice as "invisible".
      status.value = myPresence.status === "offline" ? "invisible" : myPresence.status;
    }
    byId("my-dot").className = `presence presence-${myPresence?.status ?? "offline"}`;
  }

  private renderChannels(): void {
    const store = this.store;
    const list = byId("channel-list");
    const focusedId = (document.activeElement as HTMLElement | null)?.dataset?.channelId;
    // A server's channels are listed under the server (guildSidebar.ts); here the rest.
    const views = [...store.channels.values()].filter((v) => !v.channel.guildId).sort((a, b) => channelTitle(a, store.me?.id).localeCompare(channelTitle(b, store.me?.id)));
    list.replaceChildren(
      ...views.map((view) => {
        const title = channelTitle(view, store.me?.id);
        const button = el(
          "button",
          {
            type: "button",
            class: "channel-button",
            "data-channel-id": view.channel.id,
            "data-testid": "channel",
            "aria-current": view.channel.id === store.activeId ? "page" : undefined,
          },
          el("span", { class: "channel-name", text: title }),
          view.channel.isPrivate && !view.channel.isDirect ? el("span", { class: "lock", text: "🔒", "aria-label": "private" }) : null,
          silencedIcon(store, view.channel.id, view.channel.guildId),
          mentionBadge(store.notifications.mentionCounts.get(view.channel.id) ?? 0),
          view.unread > 0
            ? el("span", { class: "unread", "data-testid": "unread", "aria-label": `${view.unread} unread`, text: view.unread > 99 ? "99+" : String(view.unread) })
            : null,
        );
        return el("li", {}, button);
      }),
    );
    if (focusedId) list.querySelector<HTMLElement>(`[data-channel-id="${CSS.escape(focusedId)}"]`)?.focus();
    byId("empty-sidebar").hidden = views.length > 0;
  }

  private renderConversation(): void {
    const store = this.store;
    const view = store.active;
    byId("conversation").hidden = view === null;
    byId("welcome").hidden = view !== null;
    byId("welcome").firstElementChild!.textContent = store.selectedGuildId
      ? "This server has no text channel you can see."
      : "Pick a channel on the left, or create one. Open this page in a second window as another user to chat.";
    if (!view) {
      byId("channel-title").textContent = "Cryb";
      this.renderedChannel = null;
      return;
    }
    byId("channel-title").textContent = channelTitle(view, store.me?.id);
    byId("channel-topic").textContent = view.channel.topic;
    byId("channel-id").textContent = view.channel.id;
    // A server's channel is joined through the server's invites, not one by one.
    byId("invite-form").hidden = Boolean(view.channel.guildId) || view.channel.isDirect || (view.channel.isPrivate && view.role === "member");

    const typing = view.typing;
    byId("typing").textContent =
      typing.length === 0
        ? ""
        : typing.length === 1
          ? `${typing[0]} is typing…`
          : typing.length <= 3
            ? `${typing.slice(0, -1).join(", ")} and ${typing[typing.length - 1]} are typing…`
            : "Several people are typing…";

    const reply = store.replyTo;
    byId("reply-preview").hidden = reply === null;
    byId("reply-text").textContent = reply ? `Replying to ${reply.authorId}: ${excerpt(reply.content)}` : "";

    const older = byId<HTMLButtonElement>("load-older");
    older.hidden = view.historyLoaded && !view.hasOlder;
    older.disabled = view.loadingOlder;
    older.textContent = view.loadingOlder ? "Loading…" : "Load older messages";
    byId("history-start").hidden = !(view.historyLoaded && !view.hasOlder);

    this.renderMessages(view);
    revealHighlighted(store);
  }

  private renderMessages(view: ChannelView): void {
    const scroller = byId("messages");
    const list = byId("message-list");
    const switched = this.renderedChannel !== view.channel.id;
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    const firstBefore = list.firstElementChild;
    const heightBefore = scroller.scrollHeight;
    if (switched) {
      this.rendered.clear();
      list.replaceChildren();
    }

    const wanted: HTMLElement[] = [];
    const keep = new Set<string>();
    for (const message of this.store.visibleMessages(view)) {
      const editing = this.store.editingId === message.id;
      const hidden = this.store.hidesMessageOf(message);
      if (hidden) {
        wanted.push(this.node(`m:${message.id}`, "hidden", () => this.hiddenMessageNode(message), keep));
        continue;
      }
      // While a message is being edited its node stays as it is: a reaction arriving meanwhile
      // must not reset what the user is typing.
      wanted.push(this.node(`m:${message.id}`, editing ? "editing" : String(message.revisionSeq), () => this.messageNode(message, editing), keep));
    }
    for (const pending of this.store.pendingIn(view.channel.id)) {
      wanted.push(this.node(`p:${pending.nonce}`, pending.failed ?? "", () => this.pendingNode(pending), keep));
    }
    for (const [id, entry] of this.rendered) {
      if (!keep.has(id)) {
        entry.node.remove();
        this.rendered.delete(id);
      }
    }
    // Move only what is out of place: moving a node that holds focus would drop the focus.
    wanted.forEach((node, i) => {
      if (list.children[i] !== node) list.insertBefore(node, list.children[i] ?? null);
    });

    if (switched || (atBottom && list.firstElementChild === firstBefore)) {
      scroller.scrollTop = scroller.scrollHeight;
    } else if (list.firstElementChild !== firstBefore) {
      // Older messages were prepended: keep what the reader was looking at in place.
      scroller.scrollTop += scroller.scrollHeight - heightBefore;
    }
    this.renderedChannel = view.channel.id;
  }

  private node(id: string, key: string, create: () => HTMLElement, keep: Set<string>): HTMLElement {
    keep.add(id);
    const existing = this.rendered.get(id);
    if (existing && existing.key === key) return existing.node;
    const node = create();
    if (existing) existing.node.replaceWith(node);
    this.rendered.set(id, { key, node });
    return node;
  }

  /** A message of someone the user blocked: delivered, but collapsed until the user asks to see it. */
  private hiddenMessageNode(message: Message): HTMLElement {
    return el(
      "li",
      { class: "message blocked-message", "data-testid": "blocked-message", "data-message-id": message.id, "data-seq": String(message.seq) },
      el("span", { text: "A message from a user you blocked. " }),
      el("button", { type: "button", "data-action": "show-blocked", text: "Show" }),
    );
  }

  private messageNode(message: Message, editing: boolean): HTMLElement {
    const me = this.store.me?.id;
    const mine = message.authorId === me;
    const mentionsMe = me !== undefined && message.mentions.includes(me);
    const item = el("li", {
      class: `message${mine ? " mine" : ""}${mentionsMe ? " mentions-me" : ""}`,
      "data-testid": "message",
      "data-message-id": message.id,
      "data-seq": String(message.seq),
      "aria-label": `${message.authorId}: ${message.content}`,
    });
    if (message.replyTo) {
      item.append(
        el(
          "blockquote",
          { class: "reply-quote", "data-testid": "reply-quote" },
          el("span", { class: "reply-author", text: message.replyTo.authorId }),
          " ",
          ...withMentions(message.replyTo.excerpt, me),
        ),
      );
    }
    const time = new Date(message.createdAt);
    item.append(
      el(
        "div",
        { class: "meta" },
        el("span", { class: "author", text: message.authorId }),
        el("time", { datetime: message.createdAt, title: time.toLocaleString(), text: time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) }),
        message.editedAt ? el("span", { class: "edited", "data-testid": "edited", text: "(edited)" }) : null,
      ),
    );
    if (editing) {
      item.append(
        el(
          "form",
          { class: "edit-form", "data-action": "save-edit", "data-message-id": message.id },
          el("label", { class: "visually-hidden", for: `edit-${message.id}`, text: "Edit message" }),
          el("textarea", { id: `edit-${message.id}`, class: "edit-input", "data-testid": "edit-input", rows: "2" }),
          el("div", { class: "edit-buttons" }, el("button", { type: "submit", text: "Save" }), el("button", { type: "button", "data-action": "cancel-edit", text: "Cancel" })),
        ),
      );
      const input = item.querySelector("textarea")!;
      input.value = message.content;
      queueMicrotask(() => input.focus());
    } else {
      item.append(el("div", { class: "content", "data-testid": "message-content" }, ...withMentions(message.content, me)));
    }

    if (message.reactions.length > 0) {
      item.append(
        el(
          "div",
          { class: "reactions", role: "group", "aria-label": "Reactions" },
          ...message.reactions.map((r) =>
            el("button", {
              type: "button",
              class: "reaction",
              "data-testid": "reaction",
              "data-action": "toggle-reaction",
              "data-emoji": r.emoji,
              "aria-pressed": String(me !== undefined && r.userIds.includes(me)),
              "aria-label": `${r.emoji} ${r.count}: ${r.userIds.join(", ")}`,
              text: `${r.emoji} ${r.count}`,
            }),
          ),
        ),
      );
    }

    const actions = el("div", { class: "actions", role: "toolbar", "aria-label": "Message actions" });
    actions.append(el("button", { type: "button", "data-action": "reply", "aria-label": "Reply", title: "Reply", text: "↩" }));
    for (const emoji of quickReactions) {
      actions.append(el("button", { type: "button", "data-action": "react", "data-emoji": emoji, "aria-label": `React with ${emoji}`, text: emoji }));
    }
    if (mine) {
      actions.append(el("button", { type: "button", "data-action": "edit", "aria-label": "Edit", title: "Edit", text: "✎" }));
    }
    const guildId = this.store.active?.channel.guildId;
    const guild = guildId ? this.store.guilds.get(guildId) : undefined;
    const moderator = guild ? mayManageMessages(guild, me) : this.store.active?.role === "owner" || this.store.active?.role === "admin";
    if (mine || moderator) {
      actions.append(el("button", { type: "button", "data-action": "delete", "aria-label": "Delete", title: "Delete", text: "🗑" }));
    }
    item.append(actions);
    return item;
  }

  private pendingNode(pending: PendingMessage): HTMLElement {
    return el(
      "li",
      { class: `message mine pending${pending.failed ? " failed" : ""}`, "data-testid": "pending-message", "data-nonce": pending.nonce },
      el("div", { class: "meta" }, el("span", { class: "author", text: this.store.me?.id ?? "" }), el("span", { class: "sending", text: pending.failed ? "Not sent" : "Sending…" })),
      el("div", { class: "content", text: pending.content }),
      pending.failed
        ? el(
            "div",
            { class: "actions visible" },
            el("span", { class: "failure", text: pending.failed }),
            el("button", { type: "button", "data-action": "retry-send", "data-nonce": pending.nonce, text: "Retry" }),
            el("button", { type: "button", "data-action": "discard-send", "data-nonce": pending.nonce, text: "Discard" }),
          )
        : null,
    );
  }

  private renderMembers(): void {
    const store = this.store;
    const guild = store.selectedGuildId ? store.guilds.get(store.selectedGuildId) : undefined;
    if (guild) {
      byId("members").hidden = false;
      this.memberList.render(guild);
      return;
    }
    const view = store.active;
    const list = byId("member-list");
    byId("members").hidden = view === null;
    byId("members-title").textContent = "Members";
    byId("member-progress").hidden = true;
    byId("member-more").hidden = true;
    if (!view) return;
    const order = { owner: 0, admin: 1, member: 2 };
    const members = [...(view.members?.values() ?? [])].sort((a, b) => order[a.role] - order[b.role] || a.userId.localeCompare(b.userId));
    list.replaceChildren(
      ...members.map((member) => {
        const status = store.statusOf(member.userId, member.status);
        const activity = store.presence.get(member.userId)?.activity;
        return el(
          "li",
          { class: "member", "data-testid": "member", "data-user-id": member.userId, "data-status": status },
          el("span", { class: `presence presence-${status}`, "aria-hidden": "true" }),
          el(
            "span",
            { class: "member-name" },
            member.userId,
            member.role !== "member" ? el("span", { class: "role", text: ` ${member.role}` }) : null,
            el("span", { class: "visually-hidden", text: `, ${status}` }),
            activityLabel(activity),
          ),
        );
      }),
    );
  }
}

/** Content with every <@userId> as a highlighted @userId; one's own mentions stand out more. */
function withMentions(content: string, me: string | undefined): (Node | string)[] {
  const parts: (Node | string)[] = [];
  const pattern = /<@([A-Za-z0-9_.-]{1,64})>/g;
  let last = 0;
  for (const match of content.matchAll(pattern)) {
    parts.push(content.slice(last, match.index));
    parts.push(el("span", { class: match[1] === me ? "mention mention-me" : "mention", "data-testid": "mention", text: `@${match[1]}` }));
    last = match.index! + match[0].length;
  }
  parts.push(content.slice(last));
  return parts;
}

function excerpt(content: string): string {
  return content.length > 100 ? `${content.slice(0, 100)}…` : content;
}
