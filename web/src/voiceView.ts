// Draws voice: under each voice channel of the sidebar, who is in it (mute and deafen icons, the
// user limit) with a Join or Leave button; and the voice panel at the foot of the sidebar (Mute,
// Deafen, Leave, and the session's connection details: endpoint, token and its expiry).
import { byId, el } from "./dom";
import type { GuildView } from "./guilds";
import type { GuildChannel, VoiceState } from "./protocol";
import type { Store } from "./state";
import { decodeToken, myVoiceState, voiceMembers, voiceName } from "./voice";

/** A voice channel's entry in the sidebar: its name, the user count against the limit, Join or Leave, and its members. */
export function voiceChannelItem(store: Store, guild: GuildView, channel: GuildChannel): HTMLElement[] {
  const members = voiceMembers(guild, channel.id);
  const here = store.voice?.channelId === channel.id;
  const count = channel.userLimit > 0 ? `${members.length}/${channel.userLimit}` : null;
  const row = el(
    "div",
    { class: "voice-row" },
    // Not a button: a voice channel opens no conversation; the Join button beside it is the action.
    el(
      "span",
      { class: "channel-button voice-channel", "data-testid": "guild-channel", "data-type": "voice" },
      el("span", { class: "channel-name", text: `🔊 ${channel.name}` }),
    ),
    count
      ? el("span", {
          class: "voice-count",
          "data-testid": "voice-count",
          title: `${members.length} of at most ${channel.userLimit} connected`,
          "aria-label": `${members.length} of at most ${channel.userLimit} connected`,
          text: count,
        })
      : null,
    el("button", {
      type: "button",
      class: "voice-join",
      "data-voice-action": here ? "leave" : "join",
      "data-voice-channel-id": channel.id,
      "aria-label": `${here ? "Leave" : "Join"} voice in ${channel.name}`,
      text: here ? "Leave" : "Join",
    }),
  );
  if (members.length === 0) return [row];
  const list = el(
    "ul",
    { class: "voice-members", "aria-label": `In ${channel.name}`, "data-testid": "voice-members" },
    ...members.map((state) => voiceMemberRow(store, guild, state)),
  );
  return [row, list];
}

function voiceMemberRow(store: Store, guild: GuildView, state: VoiceState): HTMLElement {
  const name = state.userId === store.me?.id ? (store.me.displayName || state.userId) : voiceName(guild, state.userId);
  return el(
    "li",
    { class: "voice-member", "data-testid": "voice-member", "data-user-id": state.userId },
    el("span", { class: "voice-member-name", text: name }),
    ...voiceIcons(state),
  );
}

/**
 * The icons of a voice state. A moderator's mute or deafen (red) is told apart from the user's own
 * (grey) by colour and by its label, so a screen reader says which it is too.
 */
export function voiceIcons(state: VoiceState): HTMLElement[] {
  const icons: HTMLElement[] = [];
  if (state.mute) icons.push(icon("mute", "server", "Server muted", micOff));
  else if (state.selfMute) icons.push(icon("self-mute", "self", "Muted", micOff));
  else if (state.suppress) icons.push(icon("suppress", "self", "Cannot speak in this channel", micOff));
  if (state.deaf) icons.push(icon("deaf", "server", "Server deafened", headphonesOff));
  else if (state.selfDeaf) icons.push(icon("self-deaf", "self", "Deafened", headphonesOff));
  if (state.selfVideo) icons.push(el("span", { class: "voice-badge", "data-testid": "voice-icon", "data-kind": "video", title: "Camera on", text: "🎥" }));
  if (state.selfStream) icons.push(el("span", { class: "voice-badge live", "data-testid": "voice-icon", "data-kind": "stream", title: "Sharing the screen", text: "LIVE" }));
  return icons;
}

function icon(kind: string, who: "self" | "server", label: string, draw: string[]): HTMLElement {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  // Presentation attributes, not style: the page's Content-Security-Policy allows no inline styles.
  for (const [name, value] of Object.entries({ viewBox: "0 0 24 24", width: "16", height: "16", fill: "none", stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round", "aria-hidden": "true" })) {
    svg.setAttribute(name, value);
  }
  for (const d of draw) {
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return el("span", { class: `voice-icon ${who}`, role: "img", "aria-label": label, title: label, "data-testid": "voice-icon", "data-kind": kind }, svg);
}

// A microphone and a headset, each struck through (24 x 24).
const micOff = ["M9 6a3 3 0 0 1 6 0v5a3 3 0 0 1-6 0z", "M5 11a7 7 0 0 0 14 0", "M12 18v3", "M4 4l16 16"];
const headphonesOff = ["M4 17v-5a8 8 0 0 1 16 0v5", "M4 15h3v5H4z", "M17 15h3v5h-3z", "M4 4l16 16"];

/** The voice panel: shown while this user is in voice, on this page (with its session's details) or another device. */
export function renderVoicePanel(store: Store): void {
  const panel = byId("voice-panel");
  const state = myVoiceState(store);
  const session = store.voice;
  panel.hidden = state === null && session === null;
  if (panel.hidden) return;
  const guildId = session?.guildId ?? state?.guildId ?? "";
  const channelId = session?.channelId ?? state?.channelId ?? "";
  const guild = store.guilds.get(guildId);
  const channel = guild?.channels.get(channelId);
  byId("voice-status").textContent = session ? "Voice connected" : "In voice on another device";
  byId("voice-where").textContent = `🔊 ${channel?.name ?? channelId}${guild ? ` / ${guild.info.name}` : ""}`;
  byId("voice-mute").setAttribute("aria-pressed", String(state?.selfMute ?? false));
  byId("voice-deafen").setAttribute("aria-pressed", String(state?.selfDeaf ?? false));
  byId<HTMLButtonElement>("voice-mute").disabled = state === null;
  byId<HTMLButtonElement>("voice-deafen").disabled = state === null;
  const mine = byId("voice-my-icons");
  mine.replaceChildren(...(state ? voiceIcons(state) : []));

  // The details of this page's session only: another device's token is not sent here.
  byId("voice-details").hidden = session === null;
  if (!session) return;
  const claims = decodeToken(session.token);
  byId("voice-session").textContent = session.sessionId;
  byId("voice-endpoint").textContent = session.endpoint;
  byId("voice-room").textContent = claims.room ?? "(not in the token)";
  const expires = byId("voice-expires");
  expires.textContent = claims.expiresAt ? claims.expiresAt.toLocaleTimeString() : "(not in the token)";
  expires.setAttribute("datetime", claims.expiresAt?.toISOString() ?? "");
  const token = byId<HTMLTextAreaElement>("voice-token");
  if (token.value !== session.token) token.value = session.token;
}
