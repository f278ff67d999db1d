// What the page knows of the user's servers (guilds), and the only code that changes it. Like the
// channel state, every change is idempotent: server-wide changes carry the server's version and
// member changes the member's, and an older copy never replaces a newer one.
import type { GuildChannel, GuildInfo, GuildMember, GuildRole, GuildState, Presence } from "./protocol";
import type { Store } from "./state";
import { applyVoiceStates, emptyVoice, type GuildVoice } from "./voice";

export type GuildView = {
  info: GuildInfo;
  roles: Map<string, GuildRole>;
  /** Only the channels this user can view (the gateway sends no others). */
  channels: Map<string, GuildChannel>;
  me: GuildMember;
  /** Members known so far: GuildCreated's (small servers), then the chunks of the full list, then live changes. */
  members: Map<string, GuildMember>;
  large: boolean;
  /** The full-list request in flight or done: its nonce and how many of its chunks arrived. */
  memberRequest: { nonce: string; received: number; count: number | null; retryAt: number } | null;
  /** Grows with each member change, so the member list re-sorts only when something changed. */
  membersVersion: number;
  /** The text channel last opened in this server, reopened when the server is picked in the rail. */
  lastChannelId: string | null;
  /**
   * The highest version of the server applied: a state's resumeVersion and every event's version.
   * Given back to ResumeGuilds on a reconnect, which answers "unchanged" when nothing is newer.
   */
  resumeVersion: number;
  /** Who is in the server's voice channels (those this user can view), kept by the voice states' own versions. */
  voice: GuildVoice;
};

/**
 * A server as GuildCreated, JoinGuild, CreateGuild or Ready describe it. From Ready (`fresh`: after a
 * reconnect, when changes may have been missed) it replaces what was known, members included, and
 * the full list is asked for again; otherwise (GuildCreated right after a create or a join) members
 * and the member-list request in flight are kept: asking again within 30 s would be refused.
 */
export function applyGuildState(store: Store, state: GuildState, fresh = false): GuildView {
  const existing = store.guilds.get(state.guild.id);
  if (existing && existing.info.version > state.guild.version) {
    // An older structure, but its voice states may still hold something newer per user.
    if (state.voiceStates) {
      applyVoiceStates(existing.voice, state.voiceStates, false);
      store.changed();
    }
    return existing;
  }
  const keep = existing && !fresh;
  const view: GuildView = {
    info: state.guild,
    roles: new Map(state.roles.map((r) => [r.id, r])),
    channels: new Map(state.channels.map((c) => [c.id, c])),
    me: state.member,
    members: keep ? existing.members : new Map(),
    large: state.large,
    memberRequest: keep ? existing.memberRequest : null,
    membersVersion: (existing?.membersVersion ?? 0) + 1,
    lastChannelId: existing?.lastChannelId ?? null,
    // A state replaces what was held (`fresh`): its version is where the page is now; otherwise the
    // events already applied may be newer than it.
    resumeVersion: Math.max(keep ? existing.resumeVersion : 0, state.resumeVersion ?? 0),
    voice: existing?.voice ?? emptyVoice(),
  };
  // The gateway's list is who is in voice now; a state without one (CreateGuild's, JoinGuild's: the
  // server's grain keeps no voice) leaves what is held, which the GuildCreated that follows replaces.
  if (state.voiceStates) applyVoiceStates(view.voice, state.voiceStates, true);
  for (const member of [...state.members, state.member]) {
    const known = view.members.get(member.userId);
    if (!known || known.version <= member.version) view.members.set(member.userId, member);
  }
  store.guilds.set(view.info.id, view);
  if (!state.large && state.presences) applyPresences(store, view, state.presences);
  store.changed();
  return view;
}

/** A small server's online members as the gateway listed them: the others are offline now. */
export function applyPresences(store: Store, view: GuildView, presences: Presence[]): void {
  const online = new Set(presences.map((p) => p.userId));
  for (const presence of presences) store.setPresence(presence);
  for (const userId of view.members.keys()) {
    const known = store.presence.get(userId);
    if (!online.has(userId) && userId !== store.me?.id && known && known.status !== "offline") {
      store.setPresence({ ...known, status: "offline", activity: null, devices: [] });
    }
  }
}

/** An event of the server was applied: the page holds the server at least at its version. */
export function noteVersion(store: Store, guildId: string, version: number | undefined): void {
  const view = store.guilds.get(guildId);
  if (view && version !== undefined) view.resumeVersion = Math.max(view.resumeVersion, version);
}

export function removeGuild(store: Store, guildId: string): void {
  if (!store.guilds.delete(guildId)) return;
  // The voice session cannot outlive the membership (the server ends it too, reason "permission").
  if (store.voice?.guildId === guildId) store.voice = null;
  for (const [channelId, view] of store.channels) {
    if (view.channel.guildId === guildId) store.removeChannel(channelId);
  }
  if (store.selectedGuildId === guildId) store.selectedGuildId = null;
  store.changed();
}

/** Server-wide changes (name, roles, channels) apply only if newer than what the page holds. */
export function applyGuildChange(store: Store, guildId: string, version: number, change: (view: GuildView) => void): void {
  const view = store.guilds.get(guildId);
  if (!view || version < view.info.version) return;
  change(view);
  view.info = { ...view.info, version };
  store.changed();
}

/** A member changed, joined (`joined`: counted) or listed in a chunk: kept if newer than the copy held. */
export function upsertMember(store: Store, guildId: string, member: GuildMember, joined = false): void {
  const view = store.guilds.get(guildId);
  if (!view) return;
  const existing = view.members.get(member.userId);
  if (existing && existing.version > member.version) return;
  if (joined && !existing) view.info = { ...view.info, memberCount: view.info.memberCount + 1 };
  view.members.set(member.userId, member);
  if (member.userId === view.me.userId) view.me = member;
  view.membersVersion++;
  store.changed();
}

/**
 * The server's member count as the server gave it (a bulk import): not a version of the server's
 * structure, so it does not move the view's version, which GuildCreated and Ready are compared with.
 */
export function setMemberCount(store: Store, guildId: string, memberCount: number): void {
  const view = store.guilds.get(guildId);
  if (!view) return;
  view.info = { ...view.info, memberCount };
  store.changed();
}

export function removeMember(store: Store, guildId: string, userId: string): void {
  const view = store.guilds.get(guildId);
  if (!view) return;
  // Counted down also when the member was not listed yet (a large server's list loads on demand).
  const listed = view.members.delete(userId);
  if (listed || view.members.size < view.info.memberCount) view.info = { ...view.info, memberCount: Math.max(0, view.info.memberCount - 1) };
  view.membersVersion++;
  store.changed();
}

/** Channels under their categories, each group and each channel in it ordered by position (uncategorized first). */
export function channelTree(view: GuildView): { category: GuildChannel | null; channels: GuildChannel[] }[] {
  const byPosition = (a: GuildChannel, b: GuildChannel) => a.position - b.position || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
  const all = [...view.channels.values()];
  const categories = all.filter((c) => c.type === "category").sort(byPosition);
  const known = new Set(categories.map((c) => c.id));
  const children = (parentId: string | null) =>
    all.filter((c) => c.type !== "category" && (parentId === null ? !c.parentId || !known.has(c.parentId) : c.parentId === parentId)).sort(byPosition);
  return [{ category: null, channels: children(null) }, ...categories.map((category) => ({ category, channels: children(category.id) }))];
}

/** The first text channel in the order the sidebar shows them. */
export function firstTextChannel(view: GuildView): GuildChannel | null {
  for (const group of channelTree(view)) {
    const text = group.channels.find((c) => c.type === "text");
    if (text) return text;
  }
  return null;
}

/** A member's badges: "owner" for the owner, then their roles' names, highest role first. */
export function badgesOf(view: GuildView, member: GuildMember): { name: string; roleId: string | null }[] {
  const roles = member.roleIds
    .map((id) => view.roles.get(id))
    .filter((r): r is GuildRole => r !== undefined && r.id !== view.info.id)
    .sort((a, b) => b.position - a.position);
  const badges = roles.map((r) => ({ name: r.name, roleId: r.id as string | null }));
  return member.userId === view.info.ownerId ? [{ name: "owner", roleId: null }, ...badges] : badges;
}

/** Permission bits the page looks at (Discord's values, as the server's). */
const administrator = 1 << 3;
const manageMessages = 1 << 13;

/**
 * Whether the user may delete others' messages in the server: owner, administrator, or "manage
 * messages" from their roles. Channel overwrites are left out (the page only hides a button; the
 * server decides, and a refusal is explained).
 */
export function mayManageMessages(view: GuildView, userId: string | undefined): boolean {
  if (userId === view.info.ownerId) return true;
  const roleIds = [view.info.id, ...view.me.roleIds];
  // Permissions are at most 2^29 here: plain numbers hold them, and bitwise operators are exact.
  const base = roleIds.reduce((bits, id) => bits | (view.roles.get(id)?.permissions ?? 0), 0);
  return (base & administrator) !== 0 || (base & manageMessages) !== 0;
}

/** The name shown for a member: their nickname, else the name they joined with, else their id. */
export function memberName(member: GuildMember): string {
  return member.nickname || member.name || member.userId;
}

/** "Cryb Fans" -> "CF": what a server's rail button shows. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words.slice(0, 3).map((w) => [...w][0]) : [...(words[0] ?? "?")].slice(0, 2);
  return letters.join("").toUpperCase();
}
