// Friends, requests, blocks and invitations (docs/relationships.md): the calls behind the friends
// panel, and the events, relationships applied only if newer than what the page holds of that user.
import type { ChatClient } from "./connection";
import { describeRefusal, type Invitation, type InvitationGone, type Presence, type Ready, type Relationship, type RelationshipGone } from "./protocol";
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
    client.on<Invitation>("InvitationReceived", (invitation) => {
      store.invitations.set(invitation.channelId, invitation);
      store.changed();
    });
    client.on<InvitationGone>("InvitationRemoved", (gone) => {
      store.invitations.delete(gone.channelId);
      store.changed();
    });
  }

  /** Runs one action on a user; a refusal shows as every refusal does. True if it went through. */
  async act(action: FriendAction, userId: string): Promise<boolean> {
    const { ok, result } = await this.call<Relationship>(methods[action], userId);
    // The answer is the caller's side already: shown now, the event that follows is then no news.
    if (result) this.apply(result);
    return ok;
  }

  /** Accepts (the channel or its server then arrives as on any join) or declines an invitation. */
  async answer(channelId: string, accept: boolean): Promise<void> {
    if (!(await this.call(accept ? "AcceptInvitation" : "DeclineInvitation", channelId)).ok) return;
    this.store.invitations.delete(channelId);
    this.store.changed();
  }

  /** Remove, decline, cancel, unblock and the invitation answers return nothing: success is the absence of a refusal. */
  private async call<T>(method: string, argument: string): Promise<{ ok: boolean; result?: T | null }> {
    try {
      return { ok: true, result: await this.client.invoke<T | null>(method, argument) };
    } catch (error) {
      const { code, text } = describeRefusal(error);
      this.store.showNotice(text, code);
      return { ok: false };
    }
  }

  /** Ready lists every relationship again: it replaces what the page held (a reconnect may have missed events). */
  private onReady(ready: Ready): void {
    const store = this.store;
    store.relationships = new Map((ready.relationships ?? []).map((r) => [r.userId, r]));
    store.invitations = new Map((ready.invitations ?? []).map((i) => [i.channelId, i]));
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
