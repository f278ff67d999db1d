// How a member's activity reads in a member list, a server's or a channel's: "playing Chess", or a custom line as written.
import { el } from "./dom";
import type { Presence } from "./protocol";

export function activityLabel(activity: Presence["activity"] | undefined): HTMLElement | null {
  if (!activity) return null;
  const text = activity.kind === "custom" ? activity.name : `${activity.kind} ${activity.name}`;
  return el("span", { class: "activity", "data-testid": "activity", text });
}
