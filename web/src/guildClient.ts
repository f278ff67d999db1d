// The page's side of servers (guilds) on the one connection: their events, and the calls behind the
// rail, the create-server and invite flows and the member list.
import type { ChatClient } from "./connection";
import {
  applyGuildChange,
  applyGuildState,
  applyPresences,
  firstTextChannel,
  noteVersion,
  removeGuild,
  removeMember,
  setMemberCount,
  upsertMember,
  type GuildView,
} from "./guilds";
import {
  describeRefusal,
  refusalCode,
  type Channel,
  type ChannelRemoved,
  type GuildChannel,
  type GuildChannelDeleted,
  type GuildChannelVisible,
  type GuildChannelEvent,
  type GuildGone,
  type GuildInvite,
  type GuildMemberEvent,
  type GuildMemberRemoved,
  type GuildMembersImported,
  type GuildMembersChunk,
  type GuildResume,
  type GuildRoleDeleted,
  type GuildRoleEvent,
  type GuildState,
  type GuildUpdated,
  type GuildVersion,
  type Presence,
  type Ready,
  type VoiceState,
} from "./protocol";
import type { Store } from "./state";
import { applyVoiceState, applyVoiceStates } from "./voice";

/** Invites the "Invite people" button makes: any number of uses, for a week. */
const inviteMaxUses = 0;
const inviteMaxAgeSeconds = 7 * 24 * 3600;

/** Users one GetPresence asks about at most (the gateway's PresenceLimits.MaxBulkUsers). */
const presenceBatch = 200;

/**
 * How long the statuses of members who join wait for others to ask about together: a bulk import
 * into a small server announces up to 250 joins at once, which one call per member would turn into
 * 250 calls (and a rate-limited page).
 */
const joinedPresenceDelayMs = 50;

/** A server event that came while ResumeGuilds was under way, applied once its answer is in. */
type HeldEvent = { guildId: string; version: number | undefined; apply: () => void };

export class GuildClient {
  /** Members who joined since the last GetPresence for joins, asked about together (see joinedPresenceDelayMs). */
  private readonly joined = new Set<string>();
  /** Server events held while ResumeGuilds is under way (null when none is): see onReady. */
  private held: HeldEvent[] | null = null;
  /** Which Ready the resume under way answers: an older one's answer is dropped. */
  private readyCount = 0;

  constructor(
    private readonly store: Store,
    private readonly client: ChatClient,
  ) {
    this.registerEvents();
  }

  /** The "+" of the rail: a new server, with its first channel "general" opened. */
  async createGuild(name: string): Promise<boolean> {
    const state = await this.client.attempt<GuildState>("CreateGuild", name);
    if (!state) return false;
    applyGuildState(this.store, state);
    await this.openGuild(state.guild.id);
    return true;
  }

  /** Picks a server in the rail: reopens the channel last read there, else its first text channel. */
  async openGuild(guildId: string): Promise<void> {
    const view = this.store.guilds.get(guildId);
    if (!view) return;
    this.store.selectedGuildId = guildId;
    this.store.changed();
    const last = view.lastChannelId ? view.channels.get(view.lastChannelId) : undefined;
    const channel = last ?? firstTextChannel(view);
    if (channel) {
      await this.openChannel(channel.id);
    } else {
      this.store.activeId = null;
      this.store.changed();
    }
  }

  /** The rail's first entry: standalone channels and direct messages, as before servers. */
  openHome(): void {
    const last = this.store.lastHomeChannelId;
    // A channel made at home is its own server's once GuildCreated names it: it no longer opens home.
    if (last && this.store.channels.has(last) && !this.store.channels.get(last)!.channel.guildId) {
      void this.client.openChannel(last);
      return;
    }
    this.store.selectedGuildId = null;
    if (this.store.active?.channel.guildId) this.store.activeId = null;
    this.store.changed();
  }

  /** Opens one of the selected server's text channels (followed from its current seq if new to this page). */
  async openChannel(channelId: string): Promise<void> {
    const guildId = this.store.selectedGuildId;
    const view = guildId ? this.store.guilds.get(guildId) : undefined;
    const channel = view?.channels.get(channelId);
    if (!view || channel?.type !== "text") return;
    if (this.store.channels.has(channelId)) {
      await this.client.openChannel(channelId);
    } else {
      // The gateway's ChannelAdded may not have come yet (a server just joined): JoinChannel on a
      // server's channel returns its seq without adding a member, so it is safe to ask first.
      await this.client.adopt(channelOf(channel, view));
    }
  }

  /** "Invite people": a new invite, shown as a link to /invite/CODE on this page's origin. */
  async createInvite(guildId: string): Promise<void> {
    const invite = await this.client.attempt<GuildInvite>("CreateInvite", guildId, inviteMaxUses, inviteMaxAgeSeconds);
    if (!invite) return;
    this.store.createdInvite = { guildId, url: `${location.origin}/invite/${invite.code}` };
    this.store.changed();
  }

  /** The preview of an invite this page was opened with: the server's name and member count. */
  async previewInvite(): Promise<void> {
    const invite = this.store.invite;
    if (!invite || invite.preview) return;
    try {
      invite.preview = await this.client.invoke<GuildInvite>("GetInvite", invite.code);
      invite.error = null;
    } catch (error) {
      invite.error = describeRefusal(error).text;
    }
    this.store.changed();
  }

  async acceptInvite(): Promise<void> {
    const invite = this.store.invite;
    if (!invite) return;
    let state: GuildState;
    try {
      state = await this.client.invoke<GuildState>("JoinGuild", invite.code);
    } catch (error) {
      // In the preview: the page's notice would sit behind the modal dialog.
      invite.error = describeRefusal(error).text;
      this.store.changed();
      return;
    }
    this.dismissInvite();
    applyGuildState(this.store, state);
    await this.openGuild(state.guild.id);
  }

  /** Closes the preview, and takes /invite/CODE out of the address so a reload does not show it again. */
  dismissInvite(): void {
    this.store.invite = null;
    history.replaceState(null, "", "/");
    this.store.changed();
  }

  async leaveGuild(guildId: string): Promise<void> {
    const view = this.store.guilds.get(guildId);
    if (!view || !confirm(`Leave ${view.info.name}?`)) return;
    try {
      await this.client.invoke("LeaveGuild", guildId);
      removeGuild(this.store, guildId);
    } catch (error) {
      this.store.showNotice(describeRefusal(error).text, refusalCode(error));
    }
  }

  /**
   * The selected server's whole member list, once per showing (the gateway allows one full list per
   * server and user every 30 s): RequestGuildMembers answers with GuildMembersChunk events of up to
   * 1000 members each, merged as they come, so a large server's list fills in chunk by chunk.
   */
  ensureMembers(): void {
    const guildId = this.store.selectedGuildId;
    const view = guildId ? this.store.guilds.get(guildId) : undefined;
    if (!view || this.store.connection !== "connected") return;
    const request = view.memberRequest;
    if (request && (request.retryAt === 0 || Date.now() < request.retryAt)) return;
    const nonce = `members-${Math.random().toString(36).slice(2)}`;
    view.memberRequest = { nonce, received: 0, count: null, retryAt: 0 };
    // Presences come only with a query or ids (a full list may be 500,000): statuses through GetPresence, see onChunk.
    this.client.invoke("RequestGuildMembers", view.info.id, null, null, 0, false, nonce).catch((error) => {
      if (view.memberRequest?.nonce !== nonce) return;
      // Refused for now (rate_limited says when to ask again) or dropped: asked again later.
      const retryAfter = Number(/retryAfterMs=(\d+)/.exec(String(error))?.[1] ?? 5000);
      view.memberRequest.retryAt = Date.now() + retryAfter;
      setTimeout(() => this.store.changed(), retryAfter);
    });
  }

  private onChunk(chunk: GuildMembersChunk): void {
    const store = this.store;
    const view = store.guilds.get(chunk.guildId);
    if (!view) return;
    for (const member of chunk.members) upsertMember(store, chunk.guildId, member);
    for (const presence of chunk.presences ?? []) store.setPresence(presence);
    // Statuses of the first 200 listed (one GetPresence); others show when their presence changes.
    if (chunk.chunkIndex === 0 && !chunk.presences) this.loadPresences(chunk.members.slice(0, 200).map((m) => m.userId));
    const request = view.memberRequest;
    if (request && request.nonce === chunk.nonce) {
      request.received++;
      request.count = chunk.chunkCount;
      // The whole list is in (joins meanwhile were added by their events): it is the count.
      if (request.received === request.count) view.info = { ...view.info, memberCount: view.members.size };
    }
    store.changed();
  }

  private loadJoinedPresence(userId: string): void {
    if (this.joined.size === 0) {
      setTimeout(() => {
        const userIds = [...this.joined];
        this.joined.clear();
        for (let i = 0; i < userIds.length; i += presenceBatch) this.loadPresences(userIds.slice(i, i + presenceBatch));
      }, joinedPresenceDelayMs);
    }
    this.joined.add(userId);
  }

  private loadPresences(userIds: string[]): void {
    const unknown = userIds.filter((id) => !this.store.presence.has(id));
    if (unknown.length === 0) return;
    this.client.invoke<Presence[]>("GetPresence", unknown).then(
      (found) => found.forEach((p) => this.store.setPresence(p)),
      () => undefined,
    );
  }

  private onReady(ready: Ready): void {
    const store = this.store;
    const versions = ready.guildVersions;
    const listed = new Set(versions ? versions.map((v) => v.guildId) : (ready.guilds ?? []).map((g) => g.guild.id));
    for (const guildId of [...store.guilds.keys()]) {
      if (!listed.has(guildId)) removeGuild(store, guildId); // left or removed while away
    }
    if (versions) {
      void this.resume(++this.readyCount);
    } else {
      for (const state of ready.guilds ?? []) applyGuildState(store, state, true);
    }
    if (store.invite) void this.previewInvite();
  }

  /**
   * The servers after a Ready with guilds=resume (docs/protocol.md, "Resuming servers by version"):
   * ResumeGuilds with the version held of each, then each server is kept (unchanged, its presences
   * refreshed) or replaced whole. Server events that come meanwhile are held and applied after:
   * for a server that came whole, only those newer than its state.
   */
  private async resume(ready: number): Promise<void> {
    const store = this.store;
    const held: GuildVersion[] = [...store.guilds.values()].map((v) => ({ guildId: v.info.id, version: v.resumeVersion }));
    this.held = [];
    let answer: GuildResume[];
    try {
      answer = await this.client.invoke<GuildResume[]>("ResumeGuilds", held);
    } catch {
      if (ready !== this.readyCount) return;
      // Dropped: the next Ready starts over. Still connected (the cluster was busy): try again.
      this.releaseHeld(new Map());
      if (store.connection !== "reconnecting") setTimeout(() => ready === this.readyCount && void this.resume(++this.readyCount), 2000);
      return;
    }
    if (ready !== this.readyCount) return;
    const wholeAt = new Map<string, number>();
    const answered = new Set(answer.map((r) => r.guildId));
    for (const guildId of [...store.guilds.keys()]) {
      if (!answered.has(guildId)) removeGuild(store, guildId); // left between Ready and the answer
    }
    for (const resumed of answer) {
      const view = store.guilds.get(resumed.guildId);
      if (resumed.unchanged && view) {
        if (resumed.presences) applyPresences(store, view, resumed.presences);
        if (resumed.voiceStates) applyVoiceStates(view.voice, resumed.voiceStates, true);
      } else if (resumed.state) {
        applyGuildState(store, resumed.state, true);
        wholeAt.set(resumed.guildId, resumed.state.resumeVersion ?? 0);
      }
    }
    this.releaseHeld(wholeAt);
    store.changed();
  }

  /** A voice state from an event or a call's answer, if newer than the one held of its user. */
  applyVoice(state: VoiceState): void {
    const view = this.store.guilds.get(state.guildId);
    if (view && applyVoiceState(view.voice, state)) this.store.changed();
  }

  /** Applies the server events held during a resume; for a server that came whole, only those newer than its state. */
  private releaseHeld(wholeAt: Map<string, number>): void {
    const events = this.held ?? [];
    this.held = null;
    for (const event of events) {
      const at = wholeAt.get(event.guildId);
      if (at === undefined || event.version === undefined || event.version > at) event.apply();
    }
  }

  private registerEvents(): void {
    const store = this.store;
    // Handlers return nothing: SignalR would take a returned value for a client result the server did not ask for.
    const on = <T>(event: string, handler: (payload: T) => unknown) =>
      this.client.on<T>(event, (payload) => {
        handler(payload);
      });
    // A server event: held while a resume is under way, and counted in the version the page holds of the server.
    const onGuild = <T extends { guildId: string; version?: number }>(event: string, handler: (payload: T) => unknown) =>
      on<T>(event, (payload) => {
        const apply = () => {
          handler(payload);
          noteVersion(store, payload.guildId, payload.version);
        };
        if (this.held) this.held.push({ guildId: payload.guildId, version: payload.version, apply });
        else apply();
      });
    on<Ready>("Ready", (ready) => this.onReady(ready));
    on<GuildState>("GuildCreated", (state) => {
      if (this.held) this.held.push({ guildId: state.guild.id, version: state.resumeVersion, apply: () => applyGuildState(store, state) });
      else applyGuildState(store, state);
    });
    onGuild<GuildUpdated>("GuildUpdated", (e) => applyGuildChange(store, e.guildId, e.version, (v) => (v.info = e.guild)));
    // GuildRemoved (to the user: left, kicked, banned, deleted) and GuildDeleted may come in either order: either ends it.
    const gone = (e: GuildGone) => {
      const view = store.guilds.get(e.guildId);
      const text = !view
        ? null
        : e.reason === "kicked" || e.reason === "banned"
          ? `You were ${e.reason} from ${view.info.name}.`
          : e.reason === undefined || e.reason === "deleted"
            ? `${view.info.name} was deleted.`
            : null; // left (the user's own doing) or account_deleted
      if (text) store.showNotice(text);
      removeGuild(store, e.guildId);
    };
    onGuild<GuildGone>("GuildDeleted", gone);
    on<GuildGone>("GuildRemoved", gone);
    onGuild<GuildMemberEvent>("GuildMemberAdded", (e) => {
      upsertMember(store, e.guildId, e.member, true);
      this.loadJoinedPresence(e.member.userId);
    });
    // Members a backend service imported into a large server come as their count only (the page keeps
    // no full list of a large server's members live): the title counts them, the list shows them once
    // listed again (the next Ready).
    onGuild<GuildMembersImported>("GuildMembersImported", (e) => setMemberCount(store, e.guildId, e.memberCount));
    onGuild<GuildMemberEvent>("GuildMemberUpdated", (e) => upsertMember(store, e.guildId, e.member));
    onGuild<GuildMemberRemoved>("GuildMemberRemoved", (e) => {
      if (e.userId === store.me?.id) gone({ guildId: e.guildId, reason: e.reason });
      else removeMember(store, e.guildId, e.userId);
    });
    const setRole = (e: GuildRoleEvent) =>
      applyGuildChange(store, e.guildId, e.version, (v) => {
        v.roles.set(e.role.id, e.role);
        v.membersVersion++; // badges and the list's order follow roles
      });
    onGuild<GuildRoleEvent>("GuildRoleCreated", setRole);
    onGuild<GuildRoleEvent>("GuildRoleUpdated", setRole);
    onGuild<GuildRoleDeleted>("GuildRoleDeleted", (e) =>
      applyGuildChange(store, e.guildId, e.version, (v) => {
        v.roles.delete(e.roleId);
        v.membersVersion++;
      }),
    );
    const setChannel = (e: GuildChannelEvent) => applyGuildChange(store, e.guildId, e.version, (v) => v.channels.set(e.channel.id, e.channel));
    onGuild<GuildChannelEvent>("GuildChannelCreated", setChannel);
    onGuild<GuildChannelEvent>("GuildChannelUpdated", setChannel);
    onGuild<GuildChannelDeleted>("GuildChannelDeleted", (e) => applyGuildChange(store, e.guildId, e.version, (v) => v.channels.delete(e.channelId)));
    // A role or an overwrite let this user view a channel: it joins the sidebar (a text channel's
    // messages come with its ChannelAdded). Unversioned: the channel as it is now, later changes after it.
    onGuild<GuildChannelVisible>("GuildChannelVisible", (e) => {
      const view = store.guilds.get(e.guildId);
      if (!view) return;
      view.channels.set(e.channel.id, e.channel);
      store.changed();
    });
    // Losing "view channel" takes a channel out of the sidebar too: its later updates no longer come.
    on<ChannelRemoved>("ChannelRemoved", (e) => {
      for (const view of store.guilds.values()) {
        if (view.channels.delete(e.channelId)) store.changed();
      }
    });
    on<GuildMembersChunk>("GuildMembersChunk", (chunk) => this.onChunk(chunk));
    // Voice states are server events (held during a resume like the others) with versions of their
    // own: they are compared per user, and never counted in the server's version (noteVersion).
    const onVoice = (state: VoiceState) => {
      const apply = () => this.applyVoice(state);
      if (this.held) this.held.push({ guildId: state.guildId, version: undefined, apply });
      else apply();
    };
    on<VoiceState>("VoiceStateUpdated", onVoice);
    // A server's voice states of a short window in one frame, in its order: each as if it came alone.
    on<VoiceState[]>("VoiceStatesUpdated", (states) => states.forEach(onVoice));
  }
}

/** A server's text channel as the channel list holds it, until the gateway's own copy arrives. */
function channelOf(channel: GuildChannel, view: GuildView): Channel {
  return {
    id: channel.id,
    name: channel.name,
    topic: channel.topic,
    isPrivate: false,
    isDirect: false,
    ownerId: view.info.ownerId,
    createdAt: channel.createdAt,
    guildId: view.info.id,
  };
}
