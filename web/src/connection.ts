// The connection to the gateway and the sync algorithm of docs/protocol.md ("Keeping a client in sync"):
// on every Ready (the first connection and each reconnect, to whichever gateway) each channel is
// resumed with JoinChannel(channelId, lastAppliedSeq); live events advance lastAppliedSeq one seq
// at a time, and a gap triggers another JoinChannel. Sends carry a nonce and are resent with the
// same nonce after a drop, so each is stored exactly once.
import * as signalR from "@microsoft/signalr";
import {
  HistoryPageSize,
  describeRefusal,
  refusalCode,
  type AccountClosed,
  type Channel,
  type ChannelRemoved,
  type ChosenStatus,
  type JoinResult,
  type Member,
  type MemberJoined,
  type MemberLeft,
  type Message,
  type MessageDeleted,
  type Presence,
  type ReactionsUpdated,
  type ReadStateUpdated,
  type Ready,
  type TypingUpdated,
} from "./protocol";
import type { ChannelView, PendingMessage, Store } from "./state";

/** Reconnect delays: quick at first (a gateway restart takes a few seconds), then every 3 s, forever. */
const retryDelays = [0, 500, 1000, 2000];
const retryDelay = (attempt: number) => retryDelays[attempt] ?? 3000;

/** Codes after which the same send may succeed later; others are final and shown to the user. */
const retryable = new Set(["unavailable", "storage_unavailable"]);

const typingRenewMs = 3000;
const activityReportMs = 60_000;

export class ChatClient {
  private readonly connection: signalR.HubConnection;
  /** Per channel, the JoinChannel loop running now: whoever asks meanwhile waits for the same one. */
  private readonly syncing = new Map<string, { queued: boolean; done: Promise<void> }>();
  private sendChain: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastTypingAt = 0;
  private lastActivityAt = 0;

  constructor(
    private readonly store: Store,
    hubUrl: string,
    token: string,
    private readonly onSignedOut: (reason: string) => void,
  ) {
    this.connection = new signalR.HubConnectionBuilder()
      .withUrl(hubUrl, { accessTokenFactory: () => token })
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (context) => retryDelay(context.previousRetryCount) })
      // Two pings within the gateway's 20 s client timeout (Gateway__Hub__ClientTimeout): a pause of
      // the page's timers cannot cost the connection.
      .withKeepAliveInterval(10_000)
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    this.connection.onreconnecting(() => this.setConnection("reconnecting"));
    // Ready follows every (re)connect; the banner goes once it has been applied, see onReady.
    this.connection.onclose(() => {
      if (!this.stopped) {
        this.setConnection("reconnecting");
        void this.startLoop(0);
      }
    });
    this.registerEvents();
  }

  async start(): Promise<void> {
    await this.startLoop(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.connection.stop();
  }

  // ----- calls the page makes

  /** Lets other parts of the page (servers: GuildClient) hear this connection's events too. */
  on<T>(event: string, handler: (payload: T) => void): void {
    this.connection.on(event, handler);
  }

  invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    return this.connection.invoke<T>(method, ...args);
  }

  /** Runs a call and shows its refusal to the user instead of throwing; undefined when refused. */
  async attempt<T>(method: string, ...args: unknown[]): Promise<T | undefined> {
    try {
      return await this.invoke<T>(method, ...args);
    } catch (error) {
      const { code, text } = describeRefusal(error);
      this.store.showNotice(text, code);
      return undefined;
    }
  }

  send(channelId: string, content: string, replyToId: string | null): void {
    const pending: PendingMessage = { nonce: newNonce(), channelId, content, replyToId, failed: null };
    this.store.pending.set(pending.nonce, pending);
    this.store.changed();
    this.enqueueSend(pending);
  }

  retrySend(nonce: string): void {
    const pending = this.store.pending.get(nonce);
    if (!pending) return;
    pending.failed = null;
    this.store.changed();
    this.enqueueSend(pending);
  }

  async openChannel(channelId: string): Promise<void> {
    const view = this.store.channels.get(channelId);
    if (!view) return;
    this.store.activeId = channelId;
    // The rail follows the channel: a server's channel selects its server, any other one "home".
    const guildId = view.channel.guildId ?? null;
    this.store.selectedGuildId = guildId;
    const guild = guildId ? this.store.guilds.get(guildId) : undefined;
    if (guild) guild.lastChannelId = channelId;
    else this.store.lastHomeChannelId = channelId;
    this.store.replyTo = null;
    this.store.editingId = null;
    view.unread = 0;
    sessionStorage.setItem("cryb.activeChannel", channelId);
    this.store.changed();
    if (this.store.connection !== "connected") return; // loaded by onReady
    // A server's channel has no member list of its own: the server's (GuildClient.ensureMembers) is shown.
    await Promise.all([
      view.historyLoaded ? Promise.resolve() : this.loadOlder(channelId),
      view.channel.guildId ? Promise.resolve() : this.loadMembers(channelId),
    ]);
    await this.markRead(channelId);
  }

  /** The next page of older history (GetHistory before the oldest loaded seq). */
  async loadOlder(channelId: string): Promise<void> {
    const view = this.store.channels.get(channelId);
    if (!view || view.loadingOlder || (view.historyLoaded && !view.hasOlder)) return;
    view.loadingOlder = true;
    this.store.changed();
    try {
      const page = await this.invoke<Message[]>("GetHistory", channelId, view.historyLoaded ? view.oldestLoadedSeq : null, HistoryPageSize);
      for (const message of page) this.store.upsertMessage(message);
      view.hasOlder = page.length === HistoryPageSize;
      const oldest = page.length > 0 ? page[page.length - 1].seq : null;
      if (oldest !== null) view.oldestLoadedSeq = Math.min(view.oldestLoadedSeq ?? oldest, oldest);
      else if (!view.historyLoaded) view.oldestLoadedSeq = (view.lastAppliedSeq ?? 0) + 1;
      view.historyLoaded = true;
    } catch (error) {
      this.store.showNotice(describeRefusal(error).text, refusalCode(error));
    } finally {
      view.loadingOlder = false;
      this.store.changed();
    }
  }

  async loadMembers(channelId: string): Promise<void> {
    const members = await this.attempt<Member[]>("GetMembers", channelId);
    const view = this.store.channels.get(channelId);
    if (!members || !view) return;
    view.members = new Map(members.map((m) => [m.userId, m]));
    // Statuses of the first 200 come with the members; activities with GetPresence.
    const presences = await this.attempt<Presence[]>("GetPresence", members.slice(0, 200).map((m) => m.userId));
    for (const presence of presences ?? []) this.store.setPresence(presence);
    this.store.changed();
  }

  async markRead(channelId: string): Promise<void> {
    const view = this.store.channels.get(channelId);
    if (!view || view.lastAppliedSeq === null || view.lastAppliedSeq <= view.lastReadSeq) return;
    if (this.store.connection !== "connected" || document.hidden) return;
    view.lastReadSeq = view.lastAppliedSeq;
    view.unread = 0;
    // Read to its newest message, the channel has no unread mention left; ReadStateUpdated confirms
    // it with the server's count (which also covers a mention heard before its message).
    this.store.notifications.mentionCounts.delete(channelId);
    this.store.changed();
    await this.invoke("MarkRead", channelId, view.lastAppliedSeq).catch(() => undefined);
  }

  /** After a channel was created, joined or opened: it is followed from its current seq on. */
  async adopt(channel: Channel): Promise<void> {
    this.store.ensureChannel(channel);
    await this.requestSync(channel.id);
    await this.openChannel(channel.id);
  }

  async setPresence(status: ChosenStatus, activity: Presence["activity"]): Promise<void> {
    const presence = await this.attempt<Presence>("SetPresence", status, activity);
    if (presence) this.store.setPresence(presence);
  }

  /** Called on each key press in the composer: renews typing every few seconds, stops it when emptied. */
  typing(channelId: string, hasText: boolean): void {
    this.reportActivity();
    if (this.store.connection !== "connected") return;
    const now = Date.now();
    if (hasText && now - this.lastTypingAt > typingRenewMs) {
      this.lastTypingAt = now;
      this.invoke("StartTyping", channelId).catch(() => undefined);
    } else if (!hasText && this.lastTypingAt > 0) {
      this.lastTypingAt = 0;
      this.invoke("StopTyping", channelId).catch(() => undefined);
    }
  }

  reportActivity(): void {
    const now = Date.now();
    if (this.store.connection !== "connected" || now - this.lastActivityAt < activityReportMs) return;
    this.lastActivityAt = now;
    this.invoke("ReportActivity").catch(() => undefined);
  }

  // ----- connection and sync

  private setConnection(state: Store["connection"]): void {
    this.store.connection = state;
    this.store.changed();
  }

  private async startLoop(attempt: number): Promise<void> {
    while (!this.stopped && this.connection.state === signalR.HubConnectionState.Disconnected) {
      try {
        await this.connection.start();
        return;
      } catch (error) {
        if (/\b401\b|Unauthorized/.test(String(error))) {
          this.stopped = true;
          this.onSignedOut("The gateway did not accept your token. Sign in again.");
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, retryDelay(attempt++)));
      }
    }
  }

  private async onReady(ready: Ready): Promise<void> {
    const store = this.store;
    store.me = ready.user;
    store.setPresence(ready.presence);
    const listed = new Set(ready.channels.map((s) => s.channel.id));
    for (const channelId of [...store.channels.keys()]) {
      if (!listed.has(channelId)) store.removeChannel(channelId); // left or removed while away
    }
    for (const summary of ready.channels) {
      const view = store.ensureChannel(summary.channel);
      view.role = summary.role;
      view.lastReadSeq = Math.max(view.lastReadSeq, summary.lastReadSeq);
      if (view.lastAppliedSeq === null) view.unread = summary.unreadCount;
    }
    try {
      await Promise.all(ready.channels.map((s) => this.requestSync(s.channel.id, s.latestSeq)));
    } catch {
      // Dropped again: the next Ready starts over. Still connected (the cluster was busy): try again.
      if (this.connection.state === signalR.HubConnectionState.Connected) setTimeout(() => void this.onReady(ready), 2000);
      return;
    }
    store.ready = true;
    this.setConnection("connected");
    const remembered = store.activeId ?? sessionStorage.getItem("cryb.activeChannel");
    if (remembered && store.channels.has(remembered)) await this.openChannel(remembered);
    this.flushOutbox();
  }

  /**
   * JoinChannel(channelId, lastAppliedSeq): applies what was missed and moves lastAppliedSeq to the
   * channel's latest seq. One call per channel at a time; a gap noticed meanwhile runs it once more.
   */
  private requestSync(channelId: string, fallbackSeq?: number): Promise<void> {
    const running = this.syncing.get(channelId);
    if (running) {
      running.queued = true;
      return running.done;
    }
    const state = { queued: true, done: Promise.resolve() };
    this.syncing.set(channelId, state);
    state.done = this.syncLoop(channelId, state, fallbackSeq);
    return state.done;
  }

  private async syncLoop(channelId: string, state: { queued: boolean }, fallbackSeq?: number): Promise<void> {
    try {
      while (state.queued) {
        state.queued = false;
        const view = this.store.channels.get(channelId);
        if (!view) return;
        const since = view.lastAppliedSeq ?? fallbackSeq ?? null;
        const result = await this.invoke<JoinResult>("JoinChannel", channelId, since);
        view.channel = result.channel;
        if (result.truncated) {
          // More than 500 changes: start the history over from the newest page instead.
          view.messages.clear();
          view.historyLoaded = false;
          view.hasOlder = true;
          view.oldestLoadedSeq = null;
        } else {
          for (const message of result.missed) this.countUnread(view.channel.id, message, this.store.upsertMessage(message));
        }
        view.lastAppliedSeq = Math.max(view.lastAppliedSeq ?? 0, result.latestSeq);
        this.store.changed();
        // A direct message is titled by its other member.
        if (view.channel.isDirect && !view.members) void this.loadMembers(channelId);
        if (result.truncated && this.store.activeId === channelId) await this.loadOlder(channelId);
      }
    } catch (error) {
      if (refusalCode(error) === "channel_not_found" || refusalCode(error) === "banned") {
        this.store.removeChannel(channelId);
      } else {
        throw error;
      }
    } finally {
      this.syncing.delete(channelId);
    }
  }

  /** Applies a live change with seq `seq`, then advances lastAppliedSeq or notices a gap. */
  private applyLive(channelId: string, seq: number, apply: () => void): void {
    const view = this.store.channels.get(channelId);
    if (!view) return;
    apply(); // idempotent: repeats and stale versions change nothing
    if (view.lastAppliedSeq === null || seq <= view.lastAppliedSeq) return;
    if (seq === view.lastAppliedSeq + 1 && !this.syncing.has(channelId)) {
      view.lastAppliedSeq = seq;
      if (this.store.activeId === channelId) void this.markRead(channelId);
    } else {
      void this.requestSync(channelId).catch(() => undefined);
    }
  }

  private countUnread(channelId: string, message: Message, isNew: boolean): void {
    const view = this.store.channels.get(channelId);
    if (!view || !isNew || message.authorId === this.store.me?.id || message.seq <= view.lastReadSeq) return;
    if (this.store.activeId !== channelId || document.hidden) {
      view.unread++;
      this.store.changed();
    }
  }

  private enqueueSend(pending: PendingMessage): void {
    this.sendChain = this.sendChain.then(() => this.trySend(pending));
  }

  /** Sends in the order written; on Ready, whatever is still pending goes again with its nonce. */
  private flushOutbox(): void {
    for (const pending of this.store.pending.values()) {
      if (!pending.failed) this.enqueueSend(pending);
    }
  }

  private async trySend(pending: PendingMessage): Promise<void> {
    if (!this.store.pending.has(pending.nonce) || pending.failed || this.store.connection !== "connected") return;
    try {
      const message = await this.invoke<Message>("SendMessage", pending.channelId, pending.content, pending.nonce, pending.replyToId);
      this.store.upsertMessage(message);
      this.store.pending.delete(pending.nonce);
      this.store.changed();
    } catch (error) {
      const code = refusalCode(error);
      if (code === null || retryable.has(code)) return; // dropped or unavailable: sent again after the next Ready
      pending.failed = describeRefusal(error).text;
      this.store.showNotice(pending.failed, code);
    }
  }

  private registerEvents(): void {
    const store = this.store;
    const c = this.connection;
    c.on("Ready", (ready: Ready) => void this.onReady(ready));
    c.on("MessageCreated", (m: Message) =>
      this.applyLive(m.channelId, m.seq, () => this.countUnread(m.channelId, m, store.upsertMessage(m))),
    );
    c.on("MessageEdited", (m: Message) => this.applyLive(m.channelId, m.revisionSeq, () => store.upsertMessage(m)));
    c.on("MessageDeleted", (e: MessageDeleted) =>
      this.applyLive(e.channelId, e.seq, () => store.deleteMessage(e.channelId, e.messageId)),
    );
    c.on("ReactionsUpdated", (e: ReactionsUpdated) =>
      this.applyLive(e.channelId, e.seq, () => store.setReactions(e.channelId, e.messageId, e.seq, e.reactions)),
    );
    c.on("MemberJoined", (e: MemberJoined) => {
      const members = store.channels.get(e.channelId)?.members;
      members?.set(e.userId, { userId: e.userId, role: e.role, status: null });
      if (members && !store.presence.has(e.userId)) {
        this.invoke<Presence[]>("GetPresence", [e.userId]).then((found) => found.forEach((p) => store.setPresence(p)), () => undefined);
      }
      store.changed();
    });
    c.on("MemberLeft", (e: MemberLeft) => {
      store.channels.get(e.channelId)?.members?.delete(e.userId);
      store.changed();
    });
    c.on("MemberRoleChanged", (e: MemberJoined) => {
      const view = store.channels.get(e.channelId);
      const member = view?.members?.get(e.userId);
      if (member) member.role = e.role;
      if (view && e.userId === store.me?.id) view.role = e.role;
      store.changed();
    });
    c.on("ChannelUpdated", (channel: Channel) => {
      if (store.channels.has(channel.id)) store.ensureChannel(channel);
    });
    c.on("ChannelDeleted", (e: { channelId: string }) => {
      const view = store.channels.get(e.channelId);
      if (view) store.showNotice(`${channelTitle(view, store.me?.id)} was deleted.`);
      store.removeChannel(e.channelId);
    });
    c.on("ChannelAdded", (channel: Channel) => {
      if (store.channels.has(channel.id)) return;
      store.ensureChannel(channel);
      // From seq 0: what was said before this connection joined the channel's group (a direct
      // message's first words) comes in `missed`, and counts as unread.
      void this.requestSync(channel.id, 0).catch(() => undefined);
    });
    c.on("ChannelRemoved", (e: ChannelRemoved) => {
      const view = store.channels.get(e.channelId);
      if (view && e.reason === "no_access") store.showNotice(`You can no longer see ${channelTitle(view, store.me?.id)}.`);
      else if (view && e.reason !== "left") store.showNotice(`You were ${e.reason} from ${channelTitle(view, store.me?.id)}.`);
      store.removeChannel(e.channelId);
    });
    c.on("PresenceUpdated", (presences: Presence[]) => presences.forEach((presence) => store.setPresence(presence)));
    c.on("TypingUpdated", (e: TypingUpdated) => {
      const view = store.channels.get(e.channelId);
      if (view) {
        view.typing = e.userIds.filter((id) => id !== store.me?.id);
        store.changed();
      }
    });
    c.on("ReadStateUpdated", (e: ReadStateUpdated) => {
      const view = store.channels.get(e.channelId);
      if (!view) return;
      view.lastReadSeq = Math.max(view.lastReadSeq, e.lastReadSeq);
      if (view.lastAppliedSeq !== null && view.lastReadSeq >= view.lastAppliedSeq) view.unread = 0;
      store.changed();
    });
    c.on("AccountClosed", (e: AccountClosed) => {
      this.stopped = true;
      this.onSignedOut(`This account was ${e.standing}.`);
    });
  }
}

/** "#general", or "@bob" for a direct message (it has no name; its other member is the peer). */
export function channelTitle(view: ChannelView, me: string | undefined): string {
  if (!view.channel.isDirect) return `#${view.channel.name}`;
  const peer = [...(view.members?.keys() ?? [])].find((id) => id !== me);
  return peer ? `@${peer}` : "direct message";
}

/** crypto.randomUUID needs a secure context; a page opened over a LAN address over http is not one. */
function newNonce(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}
