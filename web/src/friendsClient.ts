// Friends, requests and blocks (docs/relationships.md): the calls behind the friends panel, and the
// relationship events, each applied only if newer than what the page holds of that user.
import type { ChatClient } from "./connection";
import { describeRefusal, type Presence, type Ready, type Relationship, type RelationshipGone } from "./protocol";
import type { Store } from "./state";

export type FriendAction = "request" | "accept" | "decline" | "cancel" | "remove" | "block" | "unblock";

const methods: Record<FriendAction, string> = {
  request: "SendFriendRequest",
  accept: "AcceptFriendRequest",
  decline: "DeclineFriendRequest",
  cancel: "CancelFriendRequest",
  remove: "RemoveFriend",
  block: "BlockUser",
  unblock: "UnblockUser",
};

export class FriendsClient {
  constructor(
    private readonly store: Store,
    private readonly client: ChatClient,
  ) {
    client.on<Ready>("Ready", (ready) => this.onReady(ready));
    client.on<Relationship>("RelationshipAdded", (r) => this.apply(r));
    client.on<Relationship>("RelationshipUpdated", (r) => this.apply(r));
    client.on<RelationshipGone>("RelationshipRemoved", (gone) => this.remove(gone));
  }

  /** Runs one action on a user; a refusal shows as every refusal does. True if it went through. */
  async act(action: FriendAction, userId: string): Promise<boolean> {
    let result: Relationship | null | undefined;
    try {
      // Remove, decline, cancel and unblock answer nothing: success is the absence of a refusal.
      result = await this.client.invoke<Relationship | null | undefined>(methods[action], userId);
    } catch (error) {
      const { code, text } = describeRefusal(error);
      this.store.showNotice(text, code);
      return false;
    }
    // The answer is the caller's side already: shown now, the event that follows is then no news.
    if (result) this.apply(result);
    return true;
  }

  /** Ready lists every relationship again: it replaces what the page held (a reconnect may have missed events). */
  private onReady(ready: Ready): void {
    const store = this.store;
    store.relationships = new Map((ready.relationships ?? []).map((r) => [r.userId, r]));
    (ready.friendPresences ?? []).forEach((presence: Presence) => store.setPresence(presence));
    store.changed();
  }

  private apply(relationship: Relationship): void {
    const held = this.store.relationships.get(relationship.userId);
    if (held && held.version >= relationship.version) return;
    this.store.relationships.set(relationship.userId, relationship);
    this.store.changed();
  }

  private remove(gone: RelationshipGone): void {
    const held = this.store.relationships.get(gone.userId);
    if (!held || held.version > gone.version) return;
    this.store.relationships.delete(gone.userId);
    this.store.changed();
  }
}
