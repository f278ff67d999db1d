// The page's side of voice on the one connection: the calls behind the Join, Leave, Mute and Deafen
// buttons, and the events about this user's own session. Who is in which channel comes with the
// server's events (GuildClient: VoiceStateUpdated and VoiceStatesUpdated, and the lists in GuildCreated and ResumeGuilds).
// No media: the page shows the LiveKit endpoint and token a media client would connect with.
import type { ChatClient } from "./connection";
import type { GuildClient } from "./guildClient";
import type { VoiceJoin, VoiceServerUpdate, VoiceSessionEnded, VoiceState } from "./protocol";
import type { Store } from "./state";
import { myVoiceState, sessionOf } from "./voice";

/** What the notice says when this page's session ends by something other than this page's own Leave or Join. */
const endedBecause: Record<string, string> = {
  left: "You left voice from another device.",
  moved: "Your voice session moved to another device.",
  disconnected: "You were disconnected from voice: the connection dropped for too long.",
  moderator: "A moderator disconnected you from voice.",
  permission: "You left voice: you may no longer connect to that channel.",
  channel_deleted: "You left voice: the channel was deleted.",
  media_left: "You left voice: the media server says you left the room.",
};

export class VoiceClient {
  /**
   * Joins and leaves this page has in flight: the session a join replaces ends with "moved" (a join
   * in another server), and a leave's with "left", which are then no news to the user; the same
   * endings caused elsewhere (another device) are.
   */
  private joining = 0;
  private leaving = 0;

  constructor(
    private readonly store: Store,
    private readonly client: ChatClient,
    private readonly guilds: GuildClient,
  ) {
    client.on<VoiceSessionEnded>("VoiceSessionEnded", (e) => this.onEnded(e));
    client.on<VoiceServerUpdate>("VoiceServerUpdate", (e) => this.onServerUpdate(e));
  }

  /**
   * Joins a voice channel with this page (unmuted, undeafened, as a fresh join): moves this user's
   * session here from any other channel or device. A refusal (voice_channel_full, voice_unavailable,
   * forbidden) is shown as every refusal is.
   */
  async join(channelId: string): Promise<void> {
    const store = this.store;
    this.joining++;
    let joined: VoiceJoin | undefined;
    try {
      joined = await this.client.attempt<VoiceJoin>("JoinVoice", channelId, false, false);
    } finally {
      this.joining--;
    }
    if (!joined) return;
    store.voice = sessionOf(joined);
    this.guilds.applyVoice(joined.state);
    store.changed();
  }

  /** Leaves voice wherever this user's session is (this page or another device). */
  async leave(): Promise<void> {
    const session = this.store.voice;
    this.leaving++;
    try {
      await this.client.attempt("LeaveVoice");
    } finally {
      this.leaving--;
    }
    // VoiceSessionEnded (reason "left") clears the session too; this covers it being missed.
    if (this.store.voice === session) this.store.voice = null;
    this.store.changed();
  }

  toggleMute(): Promise<void> {
    return this.updateSelf((s) => ({ ...flags(s), selfMute: !s.selfMute }));
  }

  toggleDeaf(): Promise<void> {
    return this.updateSelf((s) => ({ ...flags(s), selfDeaf: !s.selfDeaf }));
  }

  private async updateSelf(change: (state: VoiceState) => ReturnType<typeof flags>): Promise<void> {
    const current = myVoiceState(this.store);
    if (!current) return;
    const next = change(current);
    const state = await this.client.attempt<VoiceState>("UpdateVoiceState", next.selfMute, next.selfDeaf, next.selfVideo, next.selfStream);
    if (state) this.guilds.applyVoice(state);
  }

  /** The session of this page ended: it is out of voice, and told why unless it was its own doing. */
  private onEnded(e: VoiceSessionEnded): void {
    const store = this.store;
    if (store.voice?.sessionId !== e.sessionId) return; // another device's session, or one already replaced
    store.voice = null;
    const own = (e.reason === "left" && this.leaving > 0) || (e.reason === "moved" && this.joining > 0);
    if (!own) store.showNotice(endedBecause[e.reason] ?? `You left voice (${e.reason}).`, `voice_${e.reason}`);
    store.changed();
  }

  /** A new token for this page's session (a moderator moved the user, or changed their mute or deafen). */
  private onServerUpdate(e: VoiceServerUpdate): void {
    const store = this.store;
    if (store.voice?.sessionId !== e.sessionId) return;
    store.voice = { sessionId: e.sessionId, guildId: e.guildId, channelId: e.channelId, endpoint: e.endpoint, token: e.token };
    store.changed();
  }
}

function flags(state: VoiceState) {
  return { selfMute: state.selfMute, selfDeaf: state.selfDeaf, selfVideo: state.selfVideo, selfStream: state.selfStream };
}
