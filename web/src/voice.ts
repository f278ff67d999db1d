// What the page knows of voice: who is in which voice channel of each server (the voice states every
// member sees), and this page's own voice session, if it holds one. Voice states carry versions of
// their own (the server's voice counter, not its structure version), so they are kept per user, the
// newer version winning, and never counted in the version given back to ResumeGuilds.
import type { GuildView } from "./guilds";
import type { GuildMember, VoiceJoin, VoiceState } from "./protocol";
import type { Store } from "./state";

/** A server's voice states: who is in voice there now, and the newest version seen of each user. */
export type GuildVoice = {
  /** Users in one of the server's voice channels (left ones are taken out), by user id. */
  states: Map<string, VoiceState>;
  /** Per user, the newest version applied, a leave's included: an older event never brings anyone back. */
  versions: Map<string, number>;
  /**
   * The newest version in the last whole list applied: an event at or below it for a user the list
   * did not name happened before the list was taken (they left since), so it is ignored. Events above
   * it are applied in the order they came (the server's order): a join held during a ResumeGuilds
   * and applied after the list is followed by its leave, if the user left.
   */
  floor: number;
};

/**
 * This page's voice session (what JoinVoice answered, then VoiceServerUpdate): the one the media
 * would connect with. Cryb carries no media, so the page only shows it (the details panel).
 */
export type VoiceSession = {
  sessionId: string;
  guildId: string;
  channelId: string;
  endpoint: string;
  token: string;
};

export function emptyVoice(): GuildVoice {
  return { states: new Map(), versions: new Map(), floor: 0 };
}

/**
 * A whole list of who is in voice (GuildCreated, Ready, ResumeGuilds). `replace`: it is the truth now
 * and drops anyone it does not name; otherwise (a list older than the server held) it only adds
 * what is newer than what is held.
 */
export function applyVoiceStates(voice: GuildVoice, states: VoiceState[], replace: boolean): void {
  if (!replace) {
    for (const state of states) applyVoiceState(voice, state);
    return;
  }
  voice.states.clear();
  voice.versions.clear();
  for (const state of states) {
    voice.versions.set(state.userId, state.version);
    if (state.channelId !== null) voice.states.set(state.userId, state);
  }
  voice.floor = states.reduce((max, s) => Math.max(max, s.version), 0);
}

/** One user's voice state (VoiceStateUpdated, a call's answer): applied unless older than what is held; true if applied. */
export function applyVoiceState(voice: GuildVoice, state: VoiceState): boolean {
  if (state.version <= (voice.versions.get(state.userId) ?? voice.floor)) return false;
  voice.versions.set(state.userId, state.version);
  if (state.channelId === null) voice.states.delete(state.userId);
  else voice.states.set(state.userId, state);
  return true;
}

/** Who is in a voice channel, by display name. */
export function voiceMembers(view: GuildView, channelId: string): VoiceState[] {
  const name = (s: VoiceState) => voiceName(view, s.userId);
  return [...view.voice.states.values()].filter((s) => s.channelId === channelId).sort((a, b) => name(a).localeCompare(name(b)) || a.userId.localeCompare(b.userId));
}

/** A voice member's name: their nickname or name in the server (if listed yet), else their user id. */
export function voiceName(view: GuildView, userId: string): string {
  const member: GuildMember | undefined = view.members.get(userId);
  return member?.nickname || member?.name || userId;
}

/** The user's own voice state in any server (any device of theirs), or null outside voice. */
export function myVoiceState(store: Store): VoiceState | null {
  const me = store.me?.id;
  if (!me) return null;
  // The page's own session first: a move between servers can leave both servers' states for a moment.
  const session = store.voice;
  const own = session ? store.guilds.get(session.guildId)?.voice.states.get(me) : undefined;
  if (own) return own;
  for (const view of store.guilds.values()) {
    const state = view.voice.states.get(me);
    if (state) return state;
  }
  return null;
}

export function sessionOf(joined: VoiceJoin): VoiceSession {
  return { sessionId: joined.sessionId, guildId: joined.guildId, channelId: joined.channelId, endpoint: joined.endpoint, token: joined.token };
}

/** What a LiveKit token says, decoded (not verified: LiveKit checks it when the media connects). */
export type TokenClaims = { room: string | null; identity: string | null; expiresAt: Date | null; notBefore: Date | null };

/** The claims of a JWT's payload (base64url JSON); nulls for a token that is not one. */
export function decodeToken(token: string): TokenClaims {
  try {
    const part = token.split(".")[1] ?? "";
    const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as { sub?: string; exp?: number; nbf?: number; video?: { room?: string } };
    const time = (seconds: number | undefined) => (typeof seconds === "number" ? new Date(seconds * 1000) : null);
    return { room: claims.video?.room ?? null, identity: claims.sub ?? null, expiresAt: time(claims.exp), notBefore: time(claims.nbf) };
  } catch {
    return { room: null, identity: null, expiresAt: null, notBefore: null };
  }
}
