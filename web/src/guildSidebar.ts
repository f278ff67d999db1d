// Draws the server rail, the selected server's channels under their categories (voice channels with
// who is in them, voiceView.ts), the invite link just made, and the preview of an invite link this
// page was opened with.
import { byId, el } from "./dom";
import { channelTree, initials, type GuildView } from "./guilds";
import type { GuildChannel } from "./protocol";
import { guildMentionCount, mentionBadge, silencedIcon } from "./notificationsView";
import type { Store } from "./state";
import { voiceChannelItem } from "./voiceView";

export function renderGuildSidebar(store: Store): void {
  renderRail(store);
  const guild = store.selectedGuildId ? store.guilds.get(store.selectedGuildId) : undefined;
  byId("home-panel").hidden = guild !== undefined;
  byId("guild-panel").hidden = guild === undefined;
  if (guild) renderGuildPanel(store, guild);
  renderInvitePreview(store);
}

function renderRail(store: Store): void {
  const home = byId("home-button");
  home.setAttribute("aria-current", String(store.selectedGuildId === null));
  // Direct messages (and channels from before servers) are at home: their mentions show on it.
  const homeMentions = guildMentionCount(store, [...store.channels.values()].filter((v) => !v.channel.guildId).map((v) => v.channel.id));
  home.replaceChildren("💬", mentionBadge(homeMentions) ?? "");
  home.setAttribute("aria-label", homeMentions > 0 ? `Direct messages and channels (${homeMentions} mention${homeMentions === 1 ? "" : "s"})` : "Direct messages and channels");
  const list = byId("guild-list");
  const focusedId = (document.activeElement as HTMLElement | null)?.dataset?.guildId;
  const guilds = [...store.guilds.values()].sort((a, b) => a.info.createdAt.localeCompare(b.info.createdAt) || a.info.id.localeCompare(b.info.id));
  list.replaceChildren(
    ...guilds.map((guild) => {
      const unread = [...guild.channels.keys()].some((id) => (store.channels.get(id)?.unread ?? 0) > 0);
      const mentions = guildMentionCount(store, guild.channels.keys());
      return el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            class: "rail-button",
            "data-guild-id": guild.info.id,
            "data-testid": "guild",
            title: guild.info.name,
            "aria-label": mentions > 0 ? `${guild.info.name} (${mentions} mention${mentions === 1 ? "" : "s"})` : unread ? `${guild.info.name} (unread messages)` : guild.info.name,
            "aria-current": String(guild.info.id === store.selectedGuildId),
          },
          initials(guild.info.name),
          mentions > 0 ? mentionBadge(mentions) : unread ? el("span", { class: "unread-dot", "aria-hidden": "true" }) : null,
        ),
      );
    }),
  );
  if (focusedId) list.querySelector<HTMLElement>(`[data-guild-id="${CSS.escape(focusedId)}"]`)?.focus();
}

function renderGuildPanel(store: Store, guild: GuildView): void {
  byId("guild-name").textContent = guild.info.name;
  byId("leave-guild").hidden = guild.info.ownerId === store.me?.id; // the owner transfers or deletes instead
  const invite = store.createdInvite?.guildId === guild.info.id ? store.createdInvite : null;
  byId("invite-output").hidden = invite === null;
  const link = byId<HTMLInputElement>("invite-link");
  if (invite && link.value !== invite.url) link.value = invite.url;

  const list = byId("guild-channels");
  const focused = (document.activeElement as HTMLElement | null)?.dataset;
  const focusedId = focused?.channelId;
  const focusedVoice = focused?.voiceChannelId;
  list.replaceChildren(
    ...channelTree(guild).flatMap(({ category, channels }) => {
      const items = channels.map((channel) =>
        channel.type === "voice" ? el("li", { class: "voice" }, ...voiceChannelItem(store, guild, channel)) : el("li", {}, channelButton(store, channel)),
      );
      if (!category) return items;
      return [el("li", { class: "category", "data-testid": "category" }, el("h3", { class: "category-name", text: category.name }), el("ul", {}, ...items))];
    }),
  );
  if (focusedId) list.querySelector<HTMLElement>(`[data-channel-id="${CSS.escape(focusedId)}"]`)?.focus();
  // Join becomes Leave under the same focus: a keyboard user stays on the button they pressed.
  if (focusedVoice) list.querySelector<HTMLElement>(`[data-voice-channel-id="${CSS.escape(focusedVoice)}"]`)?.focus();
}

/** A text channel's button, which opens it (voice channels: voiceChannelItem). */
function channelButton(store: Store, channel: GuildChannel): HTMLElement {
  const view = store.channels.get(channel.id);
  return el(
    "button",
    {
      type: "button",
      class: "channel-button",
      "data-channel-id": channel.id,
      "data-testid": "guild-channel",
      "data-type": channel.type,
      "aria-current": channel.id === store.activeId ? "page" : undefined,
    },
    el("span", { class: "channel-name", text: `# ${channel.name}` }),
    silencedIcon(store, channel.id, channel.guildId),
    mentionBadge(store.notifications.mentionCounts.get(channel.id) ?? 0),
    view && view.unread > 0
      ? el("span", { class: "unread", "data-testid": "unread", "aria-label": `${view.unread} unread`, text: view.unread > 99 ? "99+" : String(view.unread) })
      : null,
  );
}

function renderInvitePreview(store: Store): void {
  const dialog = byId<HTMLDialogElement>("invite-dialog");
  const invite = store.invite;
  if (!invite) {
    if (dialog.open) dialog.close();
    return;
  }
  byId("invite-guild-name").textContent = invite.preview?.guildName ?? (invite.error ? "An invite" : "Loading the invite…");
  const count = invite.preview?.memberCount;
  byId("invite-members").textContent = count === undefined ? "" : `${count} member${count === 1 ? "" : "s"}`;
  byId("invite-error").textContent = invite.error ?? "";
  byId<HTMLButtonElement>("accept-invite").disabled = invite.preview === null;
  if (!dialog.open && store.ready) dialog.showModal();
}
