// The friends panel at home: friends with their presence, requests both ways, and blocked users,
// each with the buttons that apply to it (FriendsClient does the calls).
import { byId, el } from "./dom";
import type { FriendAction } from "./friendsClient";
import type { Invitation, Relationship, RelationshipKind } from "./protocol";
import type { Store } from "./state";

const order: Record<RelationshipKind, number> = { incoming: 0, friend: 1, outgoing: 2, blocked: 3 };
const labels: Record<RelationshipKind, string> = {
  incoming: "wants to be your friend",
  friend: "friend",
  outgoing: "request sent",
  blocked: "blocked",
};
const actions: Record<RelationshipKind, [FriendAction | "message", string][]> = {
  incoming: [["accept", "Accept"], ["decline", "Decline"], ["block", "Block"]],
  friend: [["message", "Message"], ["remove", "Remove"], ["block", "Block"]],
  outgoing: [["cancel", "Cancel"]],
  blocked: [["unblock", "Unblock"]],
};

export function renderFriends(store: Store): void {
  const invitations = [...store.invitations.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  byId("invitations-title").hidden = invitations.length === 0;
  byId("invitation-list").replaceChildren(...invitations.map(invitationNode));
  const relationships = [...store.relationships.values()].sort((a, b) => order[a.kind] - order[b.kind] || (a.userId < b.userId ? -1 : 1));
  byId("friends-title").textContent = `Friends — ${relationships.filter((r) => r.kind === "friend").length}`;
  byId("friend-list").replaceChildren(...relationships.map((r) => node(store, r)));
}

/** An invitation to a channel, with its inviter, and Accept and Decline (nobody joins anything without them). */
function invitationNode(invitation: Invitation): HTMLElement {
  const answer = (accept: boolean, text: string) =>
    el("button", { type: "button", "data-invitation-answer": accept ? "accept" : "decline", "data-channel-id": invitation.channelId, "aria-label": `${text} the invitation to ${invitation.channelName}`, text });
  return el(
    "li",
    { class: "relationship", "data-testid": "invitation", "data-channel-id": invitation.channelId },
    el("span", { class: "relationship-name", text: `#${invitation.channelName}` }),
    el("span", { class: "relationship-kind", text: `from ${invitation.inviterId}` }),
    el("span", { class: "relationship-actions" }, answer(true, "Accept"), answer(false, "Decline")),
  );
}

function node(store: Store, relationship: Relationship): HTMLElement {
  const status = relationship.kind === "friend" ? store.statusOf(relationship.userId) : null;
  return el(
    "li",
    { class: "relationship", "data-testid": "relationship", "data-user-id": relationship.userId, "data-kind": relationship.kind, "data-status": status ?? undefined },
    status ? el("span", { class: `presence presence-${status}`, "aria-hidden": "true" }) : null,
    el("span", { class: "relationship-name", text: relationship.userId }),
    el("span", { class: "relationship-kind", text: status ? `${labels.friend}, ${status}` : labels[relationship.kind] }),
    el(
      "span",
      { class: "relationship-actions" },
      ...actions[relationship.kind].map(([action, text]) =>
        el("button", { type: "button", "data-friend-action": action, "data-user-id": relationship.userId, "aria-label": `${text} ${relationship.userId}`, text }),
      ),
    ),
  );
}
