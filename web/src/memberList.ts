// The selected server's member list: members sorted by their highest role (the owner first), each
// with role badges. A server may have 100,000 members: the list is sorted once per change of its
// members (not per render) and only the first rows are drawn, more as the reader scrolls down: a page
// of rows ahead, so the reader does not stop at the end of those drawn and wait for more.
import { activityLabel } from "./activityLabel";
import { byId, el } from "./dom";
import { badgesOf, memberName, type GuildView } from "./guilds";
import type { GuildMember, Presence } from "./protocol";
import type { Store } from "./state";

/** Rows drawn at first, and added each time the reader comes within a screen of the end of those drawn. */
const pageRows = 100;

/** The least distance from the end (px) that counts as near it, for a list shorter than a screen. */
const minAheadPx = 200;

export class MemberList {
  private sorted: GuildMember[] = [];
  private sortedFor = { guildId: "", version: -1 };
  private limit = pageRows;
  private aheadScheduled = false;
  private readonly nodes = new Map<string, { key: string; node: HTMLElement }>();

  constructor(private readonly store: Store) {
    byId("members").addEventListener("scroll", () => this.drawAhead(), { passive: true });
  }

  /**
   * Draws the next page of rows while the reader is still a screen away from the end of those drawn,
   * on a scroll and after each render: chunks that arrive (or members sorted in) while the reader
   * waits at the end extend the list without another scroll. The rows come from the members known,
   * one per user id, so drawing ahead never repeats a member.
   */
  private drawAhead(): void {
    const scroller = byId("members");
    // Hidden (no height): nothing is being read, and every page would look "near the end".
    if (this.limit >= this.sorted.length || scroller.clientHeight === 0) return;
    const below = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
    if (below < Math.max(scroller.clientHeight, minAheadPx)) {
      this.limit += pageRows;
      this.store.changed();
    }
  }

  render(guild: GuildView): void {
    const store = this.store;
    if (this.sortedFor.guildId !== guild.info.id) {
      this.limit = pageRows;
      this.nodes.clear();
    }
    if (this.sortedFor.guildId !== guild.info.id || this.sortedFor.version !== guild.membersVersion) {
      this.sorted = sortMembers(guild);
      this.sortedFor = { guildId: guild.info.id, version: guild.membersVersion };
    }
    byId("members-title").textContent = `Members — ${guild.info.memberCount}`;
    const request = guild.memberRequest;
    const loading = request !== null && (request.count === null || request.received < request.count);
    const progress = byId("member-progress");
    progress.hidden = !loading;
    progress.textContent = request?.count ? `Loading members… ${request.received} of ${request.count} chunks` : "Loading members…";

    const shown = this.sorted.slice(0, this.limit);
    const keep = new Set<string>();
    const wanted = shown.map((member) => {
      const status = store.statusOf(member.userId);
      const activity = store.presence.get(member.userId)?.activity ?? null;
      // Roles are part of the key through membersVersion, which every role change bumps.
      const key = `${member.version}|${status}|${activity?.kind}|${activity?.name}|${guild.membersVersion}`;
      keep.add(member.userId);
      const existing = this.nodes.get(member.userId);
      if (existing?.key === key) return existing.node;
      const node = memberNode(guild, member, status, activity);
      this.nodes.set(member.userId, { key, node });
      return node;
    });
    for (const userId of [...this.nodes.keys()]) if (!keep.has(userId)) this.nodes.delete(userId);
    const list = byId("member-list");
    const same = list.children.length === wanted.length && wanted.every((node, i) => list.children[i] === node);
    if (!same) list.replaceChildren(...wanted);
    byId("member-more").hidden = this.limit >= this.sorted.length;
    // After layout, so the distance to the end is of the rows just drawn; once per frame, however many renders.
    if (!this.aheadScheduled) {
      this.aheadScheduled = true;
      requestAnimationFrame(() => {
        this.aheadScheduled = false;
        this.drawAhead();
      });
    }
  }
}

/** The owner first, then by highest role (highest first), then by name: computed once per member. */
function sortMembers(guild: GuildView): GuildMember[] {
  const rank = (member: GuildMember) =>
    member.userId === guild.info.ownerId ? Infinity : Math.max(0, ...member.roleIds.map((id) => guild.roles.get(id)?.position ?? 0));
  const keyed = [...guild.members.values()].map((member) => ({ member, rank: rank(member), name: memberName(member).toLowerCase() }));
  // Plain comparisons: localeCompare over 100,000 names takes seconds.
  keyed.sort((a, b) => b.rank - a.rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return keyed.map((k) => k.member);
}

function memberNode(guild: GuildView, member: GuildMember, status: string, activity: Presence["activity"]): HTMLElement {
  const badges = badgesOf(guild, member);
  return el(
    "li",
    { class: "member", "data-testid": "member", "data-user-id": member.userId, "data-status": status },
    el("span", { class: `presence presence-${status}`, "aria-hidden": "true" }),
    el(
      "span",
      { class: "member-name" },
      memberName(member),
      el("span", { class: "visually-hidden", text: `, ${status}` }),
      badges.length > 0
        ? el(
            "span",
            { class: "badges", "aria-label": "Roles" },
            ...badges.map((b) => el("span", { class: b.roleId ? "badge" : "badge owner", "data-testid": "role-badge", text: b.name })),
          )
        : null,
      activityLabel(activity),
    ),
  );
}
