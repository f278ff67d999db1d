// Servers (guilds) in a real browser: Alice (first gateway) creates a server and an invite link; Bob
// (second gateway) opens the link, sees its preview and joins. Both see the server in the rail, its
// channels under their categories, chat in "general", and the member list (loaded in chunks) with
// role badges; then Bob reloads, and leaves.
//
//   CRYB_GATEWAYS=http://127.0.0.1:5080,http://127.0.0.1:5081 node e2e/guilds.e2e.mjs
//
// Before Bob joins, the script prints "CRYB-E2E IMPORT <guildId> <count>" and waits for a line on
// stdin: WebClientTests adds that many members through a backend service's bulk import, so Bob's
// member list arrives in several chunks and is drawn as he scrolls. CRYB_E2E_IMPORT=skip leaves that
// out (for a run against `./cryb up`). CRYB_WEB_SERVERS_SCREENSHOT=path saves a screenshot of Alice's window.
import assert from "node:assert/strict";
import { ask, closeAsk, composer, diagnose, launchBrowser, member, messages, send, signIn, step, until, waitReady } from "./browser.mjs";

const gateways = (process.env.CRYB_GATEWAYS ?? "http://127.0.0.1:5080,http://127.0.0.1:5081").split(",");
const run = Date.now().toString(36);
const aliceId = `alice-${run}`;
const bobId = `bob-${run}`;
// Each run's users are new, so the name need not be unique: "CF" in the rail.
const serverName = "Cryb Fans";
const screenshot = process.env.CRYB_WEB_SERVERS_SCREENSHOT;
const imported = (process.env.CRYB_E2E_IMPORT ?? "stdin") === "skip" ? 0 : 2100;

const browser = await launchBrowser();
const pages = [];
const title = (page) => page.locator("#channel-title").textContent();
const badges = (page, userId) => member(page, userId).getByTestId("role-badge").allTextContents();
const guildId = (page) => page.evaluate(() => window.cryb.store.selectedGuildId);

try {
  step(`signing in ${aliceId} on ${gateways[0]} and ${bobId} on ${gateways[1 % gateways.length]}`);
  const alice = await signIn(browser, gateways[0], aliceId, "Alice");
  const bob = await signIn(browser, gateways[1 % gateways.length], bobId, "Bob");
  pages.push(["alice", alice], ["bob", bob]);

  step("alice creates a server: it shows in her rail, with #general open");
  await alice.getByRole("button", { name: "Add a server" }).click();
  await alice.getByLabel("Server name").fill(serverName);
  await alice.getByRole("button", { name: "Create server", exact: true }).click();
  await until("alice's server to open", async () => (await alice.getByTestId("guild-name").textContent()) === serverName);
  await until("alice's #general to open", async () => (await title(alice)) === "#general");
  assert.equal(await alice.locator(`[data-testid=guild][title="${serverName}"]`).textContent(), "CF", "the rail shows the server's initials");
  const id = await guildId(alice);

  step("alice makes an invite link");
  await alice.getByRole("button", { name: "Invite people", exact: true }).click();
  const link = await until("the invite link", async () => (await alice.getByTestId("invite-link").inputValue()) || null);
  const code = new URL(link).pathname.match(/^\/invite\/([A-Za-z0-9]{8,})$/)?.[1];
  assert.ok(code, `an invite link on this origin with a code of 8 or more characters: ${link}`);
  assert.equal(new URL(link).origin, new URL(gateways[0]).origin, "the link is on the page's own origin");

  if (imported > 0) {
    step(`${imported} members are imported by a backend service`);
    await ask(`IMPORT ${id} ${imported}`);
  }

  step("bob opens the link (on his gateway): the preview names the server and its member count; he joins");
  const opened = await bob.goto(`${gateways[1 % gateways.length]}/invite/${code}`);
  assert.equal(opened.status(), 200, "the gateway serves the page at /invite/CODE");
  assert.match(opened.headers()["content-security-policy"] ?? "", /default-src 'self'/);
  await waitReady(bob);
  const preview = bob.getByTestId("invite-preview");
  await preview.waitFor({ state: "visible" });
  await until("the preview to name the server", async () => (await bob.getByTestId("invite-guild-name").textContent()) === serverName);
  assert.equal(await bob.getByTestId("invite-members").textContent(), imported > 0 ? `${imported + 1} members` : "1 member");
  await bob.getByRole("button", { name: "Join server", exact: true }).click();
  await preview.waitFor({ state: "hidden" });
  await until("bob's #general to open", async () => (await title(bob)) === "#general");
  assert.equal(new URL(bob.url()).pathname, "/", "the invite leaves the address once joined");
  await bob.locator(`[data-testid=guild][title="${serverName}"]`).waitFor();
  assert.equal(await bob.getByTestId("guild-name").textContent(), serverName);

  step("carol, signed out, opens the link: she signs in first, then sees the preview, and declines");
  const carol = await signIn(browser, gateways[0], `carol-${run}`, "Carol", `/invite/${code}`);
  pages.push(["carol", carol]);
  await until("carol's preview to name the server", async () => (await carol.getByTestId("invite-guild-name").textContent()) === serverName);
  await carol.getByRole("button", { name: "Not now", exact: true }).click();
  await carol.getByTestId("invite-preview").waitFor({ state: "hidden" });
  assert.equal(new URL(carol.url()).pathname, "/", "declining takes the invite out of the address");
  assert.equal(await carol.getByTestId("guild").count(), 0, "declining joins nothing");

  step("an unknown code is explained in the preview, and nothing can be joined");
  await carol.goto(`${gateways[0]}/invite/NoSuchCode42`);
  await waitReady(carol);
  await until("the refusal in the preview", async () => /invalid, expired or used up/.test(await carol.locator("#invite-error").textContent()));
  assert.equal(await carol.getByRole("button", { name: "Join server", exact: true }).isDisabled(), true);
  await carol.keyboard.press("Escape");
  await carol.getByTestId("invite-preview").waitFor({ state: "hidden" });
  await carol.context().close();
  pages.pop();

  step("they chat in #general");
  await send(alice, "welcome to the server");
  await messages(bob, "welcome to the server").waitFor();
  await send(bob, "glad to be here");
  await messages(alice, "glad to be here").waitFor();

  step("the member list, loaded in chunks, shows both, alice with her owner badge");
  for (const page of [alice, bob]) {
    await member(page, aliceId).waitFor();
    await member(page, bobId).waitFor();
    await until("alice's owner badge", async () => (await badges(page, aliceId)).join() === "owner");
    assert.deepEqual(await badges(page, bobId), [], "bob has no role yet");
    const request = await until("the full member list to arrive in chunks", () =>
      page.evaluate((g) => {
        const r = window.cryb.store.guilds.get(g)?.memberRequest;
        return r && r.count !== null && r.received === r.count ? r : null;
      }, id),
    );
    assert.ok(request.count >= 1, "RequestGuildMembers was answered by GuildMembersChunk events");
  }
  // The import made the server large: alice heard its count (GuildMembersImported), then bob's join.
  assert.equal(await alice.locator("#members-title").textContent(), `Members — ${imported + 2}`);

  if (imported > 0) {
    step("bob's list of the large server came in chunks of 1000; it draws 100 rows, more as he scrolls");
    const total = imported + 2;
    const request = await bob.evaluate((g) => window.cryb.store.guilds.get(g).memberRequest, id);
    assert.equal(request.count, Math.ceil(total / 1000), `${total} members in chunks of 1000`);
    assert.equal(await bob.locator("#members-title").textContent(), `Members — ${total}`);
    const rows = bob.getByTestId("member");
    assert.equal(await rows.count(), 100, "the first 100 rows are drawn");
    await until("300 rows after scrolling down", async () => {
      await bob.locator("#members").evaluate((scroller) => (scroller.scrollTop = scroller.scrollHeight));
      return (await rows.count()) >= 300;
    });
    // A page ahead: half a screen from the end of the rows drawn (not yet at it), the next page is drawn.
    const drawn = await rows.count();
    await bob.locator("#members").evaluate((scroller) => (scroller.scrollTop = scroller.scrollHeight - scroller.clientHeight * 1.5));
    await until("the next page drawn before bob reaches the end", async () => (await rows.count()) >= drawn + 100);
    const ids = await rows.evaluateAll((nodes) => nodes.map((node) => node.dataset.userId));
    assert.equal(new Set(ids).size, ids.length, "no member is drawn twice");
    await bob.locator("#members").evaluate((scroller) => (scroller.scrollTop = 0));
  }

  step("alice makes a role and gives it to bob: both see his badge");
  await alice.evaluate(async ({ g, user }) => {
    const role = await window.cryb.client.invoke("CreateRole", g, { name: "moderators" });
    await window.cryb.client.invoke("AddMemberRole", g, user, role.id);
  }, { g: id, user: bobId });
  for (const page of [alice, bob]) {
    await until("bob's moderators badge", async () => (await badges(page, bobId)).join() === "moderators");
  }

  step("alice adds a category with a channel in it: both see it under its heading, and chat there");
  await alice.evaluate(async (g) => {
    const category = await window.cryb.client.invoke("CreateGuildChannel", g, { name: "Projects", type: "category" });
    await window.cryb.client.invoke("CreateGuildChannel", g, { name: "plans", type: "text", parentId: category.id });
    await window.cryb.client.invoke("CreateGuildChannel", g, { name: "Lounge", type: "voice", parentId: category.id });
  }, id);
  for (const page of [alice, bob]) {
    const category = page.getByTestId("category").filter({ hasText: "Projects" });
    await category.getByTestId("guild-channel").filter({ hasText: "# plans" }).waitFor();
    await category.getByTestId("guild-channel").filter({ hasText: "🔊 Lounge" }).waitFor();
    const order = await page.getByTestId("guild-channel").allTextContents();
    assert.deepEqual(order.map((t) => t.trim()), ["# general", "# plans", "🔊 Lounge"], "uncategorized first, then each category's channels by position");
  }
  await bob.getByTestId("guild-channel").filter({ hasText: "# plans" }).click();
  await until("bob's #plans to open", async () => (await title(bob)) === "#plans");
  await alice.getByTestId("guild-channel").filter({ hasText: "# plans" }).click();
  await until("alice's #plans to open", async () => (await title(alice)) === "#plans");
  await send(alice, "first plan");
  await messages(bob, "first plan").waitFor();
  if (screenshot) {
    await send(bob, "count me in");
    await messages(alice, "count me in").waitFor();
    await alice.screenshot({ path: screenshot });
    step(`screenshot saved to ${screenshot}`);
  }

  step("the rail's home entry still holds standalone channels; the server button brings #plans back");
  await bob.getByRole("button", { name: "Direct messages and channels" }).click();
  await bob.locator("#home-panel").waitFor({ state: "visible" });
  assert.equal(await bob.locator("#guild-panel").isVisible(), false);
  await bob.locator(`[data-testid=guild][title="${serverName}"]`).click();
  await until("bob's #plans to reopen", async () => (await title(bob)) === "#plans");

  step("bob reloads: his server comes back from Ready, with its history and his badge");
  await bob.reload();
  await waitReady(bob);
  await bob.locator(`[data-testid=guild][title="${serverName}"]`).waitFor();
  await messages(bob, "first plan").waitFor();
  await until("bob's badge after the reload", async () => (await badges(bob, bobId)).join() === "moderators");
  await composer(bob).fill("back after a reload");
  await composer(bob).press("Enter");
  await messages(alice, "back after a reload").waitFor();

  step("bob leaves the server: it leaves his rail, and alice's member list");
  await bob.getByRole("button", { name: "Leave server", exact: true }).click();
  await until("the server to leave bob's rail", async () => (await bob.getByTestId("guild").count()) === 0);
  await until("bob to leave alice's member list", async () => (await member(alice, bobId).count()) === 0);
  assert.equal(await alice.locator("#members-title").textContent(), `Members — ${imported + 1}`);

  console.log(`web guilds e2e passed: server ${id}, invite ${code}, ${gateways.length} gateway(s)`);
} catch (error) {
  await diagnose(pages);
  throw error;
} finally {
  await browser.close();
  closeAsk();
}
