// The friends panel at home: friends with their presence, requests both ways, and blocked users,
// each with the buttons that apply to it (FriendsClient does the calls).
import { byId, el } from "./dom";
import type { FriendAction } from "./friendsClient";
import type { Relationship, RelationshipKind } from "./protocol";
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
  const relationships = [...store.relationships.values()].sort((a, b) => order[a.kind] - order[b.kind] || (a.userId < b.userId ? -1 : 1));
  byId("friends-title").textContent = `Friends — ${relationships.filter((r) => r.kind === "friend").length}`;
  byId("friend-list").replaceChildren(...relationships.map((r) => node(store, r)));
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
