// The web client in a real browser: Debian's Chromium, headless, driven by playwright-core.
// Alice's page is served by the first gateway, Bob's by the second; they chat through everything the
// page offers, reload, and Bob's gateway is stopped and started again under him.
//
//   CRYB_GATEWAYS=http://127.0.0.1:5080,http://127.0.0.1:5081 node e2e/chat.e2e.mjs
//
// The gateway restart needs someone who can restart a gateway: the script prints
// "CRYB-E2E STOP <index>" and waits for a line on stdin once it is stopped, then
// "CRYB-E2E START <index>" and waits for a line once it is ready again (WebClientTests does that).
// CRYB_E2E_RESTART=skip leaves that phase out (for a run against `./cryb up`).
// CRYB_WEB_SCREENSHOT=path saves a screenshot of Alice's window.
import assert from "node:assert/strict";
import {
  ask,
  assertNoDuplicates,
  closeAsk,
  composer,
  diagnose,
  launchBrowser,
  member,
  messages,
  send,
  signIn as signInWith,
  step,
  until,
  waitReady,
} from "./browser.mjs";

const gateways = (process.env.CRYB_GATEWAYS ?? "http://127.0.0.1:5080,http://127.0.0.1:5081").split(",");
const restart = (process.env.CRYB_E2E_RESTART ?? "stdin") !== "skip";
const screenshot = process.env.CRYB_WEB_SCREENSHOT;
const run = Date.now().toString(36);
const aliceId = `alice-${run}`;
const bobId = `bob-${run}`;

const browser = await launchBrowser();
const signIn = (gateway, userId, displayName) => signInWith(browser, gateway, userId, displayName);

const pages = [];

try {
  step(`signing in ${aliceId} on ${gateways[0]} and ${bobId} on ${gateways[1 % gateways.length]}`);
  const alice = await signIn(gateways[0], aliceId, "Alice");
  const bob = await signIn(gateways[1 % gateways.length], bobId, "Bob");
  pages.push(["alice", alice], ["bob", bob]);

  step("alice creates a public channel (a server of its own); bob joins it by id");
  await alice.getByLabel("Name", { exact: true }).fill(`e2e ${run}`);
  await alice.getByRole("button", { name: "Create" }).click();
  await until("alice's channel to open", async () => (await alice.locator("#channel-title").textContent()) === `#e2e ${run}`);
  const channelId = (await alice.getByTestId("channel-id").textContent()).trim();
  await bob.getByLabel("Join a public channel by id").fill(channelId);
  await bob.getByRole("button", { name: "Join" }).click();
  await until("bob's channel to open", async () => (await bob.locator("#channel-title").textContent()) === `#e2e ${run}`);
  // The channel is its server's: both see the server in the rail, with the channel in its sidebar.
  const server = (page) => page.locator(`[data-testid=guild][title="e2e ${run}"]`);
  await server(alice).waitFor();
  await server(bob).waitFor();
  const serverChannel = (page) => page.getByTestId("guild-channel").filter({ hasText: `# e2e ${run}` });
  await serverChannel(bob).waitFor();

  step("presence: each sees the other online in the member list");
  await member(alice, bobId, "online").waitFor();
  await member(bob, aliceId, "online").waitFor();

  step("alice mentions bob; bob sees it highlighted");
  await send(alice, `Hello <@${bobId}>, welcome`);
  const hello = messages(bob, "welcome");
  await hello.waitFor();
  assert.equal(await hello.locator(".mention.mention-me").textContent(), `@${bobId}`);

  step("typing: bob types, alice sees it; bob replies with a quote");
  await composer(bob).pressSequentially("Hi al", { delay: 20 });
  await until("alice to see bob typing", async () => (await alice.getByTestId("typing").textContent()) === `${bobId} is typing…`);
  await hello.hover();
  await hello.getByRole("button", { name: "Reply" }).click();
  await composer(bob).fill("Hi alice, glad to be here");
  await composer(bob).press("Enter");
  const reply = messages(alice, "glad to be here");
  await reply.waitFor();
  assert.match(await reply.getByTestId("reply-quote").textContent(), /Hello @bob-.*, welcome/);
  await until("alice's typing line to clear", async () => (await alice.getByTestId("typing").textContent()) === "");

  step("edit: Escape cancels, Enter saves; bob sees the edit");
  const own = messages(alice, "welcome");
  await own.hover();
  await own.getByRole("button", { name: "Edit" }).click();
  await alice.getByTestId("edit-input").fill("discarded");
  await alice.getByTestId("edit-input").press("Escape");
  await until("Escape to close the editor", async () => (await alice.getByTestId("edit-input").count()) === 0);
  assert.match(await own.getByTestId("message-content").textContent(), /Hello @bob-.*, welcome$/, "Escape keeps the message as it was");
  await own.hover();
  await own.getByRole("button", { name: "Edit" }).click();
  await alice.getByTestId("edit-input").fill(`Hello again <@${bobId}>, welcome aboard`);
  await alice.getByTestId("edit-input").press("Enter");
  await messages(bob, "welcome aboard").getByTestId("edited").waitFor();

  step("reactions: bob reacts, alice sees the count");
  await messages(bob, "welcome aboard").hover();
  await messages(bob, "welcome aboard").getByRole("button", { name: "React with 👍" }).click();
  await messages(alice, "welcome aboard").getByTestId("reaction").filter({ hasText: "👍 1" }).waitFor();

  step("status: bob sets do-not-disturb with an activity; alice sees both");
  await bob.getByLabel("Activity", { exact: true }).fill("writing tests");
  await bob.getByLabel("Status", { exact: true }).selectOption("dnd");
  await member(alice, bobId, "dnd").getByTestId("activity").filter({ hasText: "writing tests" }).waitFor();

  if (screenshot) {
    await alice.getByLabel("Activity", { exact: true }).fill("reviewing the web client");
    await alice.getByRole("button", { name: "Set", exact: true }).click();
    await member(alice, aliceId).getByTestId("activity").waitFor();
    await composer(bob).pressSequentially("Looks good", { delay: 20 });
    await until("alice to see bob typing", async () => (await alice.getByTestId("typing").textContent()) !== "");
    await alice.screenshot({ path: screenshot });
    await composer(bob).fill("");
    await composer(bob).dispatchEvent("input");
    step(`screenshot saved to ${screenshot}`);
  }

  step("direct message with an unread count");
  const home = (page) => page.getByRole("button", { name: "Direct messages and channels" });
  await home(alice).click();
  await home(bob).click();
  await alice.getByLabel("Message a user").fill(bobId);
  await alice.getByRole("button", { name: "Open" }).click();
  await until("alice's direct message to open", async () => (await alice.locator("#channel-title").textContent()) === `@${bobId}`);
  await send(alice, "psst, a private word");
  const dm = bob.getByTestId("channel").filter({ hasText: `@${aliceId}` });
  await dm.getByTestId("unread").filter({ hasText: "1" }).waitFor();
  await dm.click();
  await messages(bob, "a private word").waitFor();
  assert.equal(await dm.getByTestId("unread").count(), 0, "opening the direct message reads it");
  for (const page of [bob, alice]) {
    await server(page).click();
    await serverChannel(page).click();
  }
  await messages(alice, "welcome aboard").waitFor();

  step("refusals: a message over 4000 characters is explained and not sent");
  await send(alice, "x".repeat(4001));
  await alice.locator("[data-testid=notice][data-code=message_too_long]").waitFor();
  assert.match(await alice.getByTestId("notice").textContent(), /at most 4000 characters/);
  await alice.getByTestId("pending-message").getByRole("button", { name: "Discard" }).click();
  await alice.getByRole("button", { name: "Dismiss" }).click();

  step("delete: alice deletes her message, bob sees it go");
  await send(alice, "a message to delete");
  await messages(bob, "a message to delete").waitFor();
  await messages(alice, "a message to delete").hover();
  await messages(alice, "a message to delete").getByRole("button", { name: "Delete" }).click();
  await until("bob to see the deletion", async () => (await messages(bob, "a message to delete").count()) === 0);

  step("history: 60 more messages, then alice reloads and scrolls up through them");
  await alice.evaluate(async (id) => {
    for (let i = 1; i <= 60; i++) await window.cryb.client.invoke("SendMessage", id, `filler ${i}`, `filler-${i}`, null);
  }, channelId);
  await messages(alice, "filler 60").waitFor();
  await messages(bob, "filler 60").waitFor();
  const before = await messages(alice).count();
  await alice.reload();
  await waitReady(alice);
  await messages(alice, "filler 60").waitFor();
  assert.equal(await messages(alice).count(), 50, "a reload shows the newest page of 50");
  await until("older pages to load on scrolling up", async () => {
    await alice.locator("#messages").evaluate((scroller) => (scroller.scrollTop = 0));
    return (await messages(alice).count()) === before;
  });
  await alice.locator("#history-start").waitFor();
  assert.ok(await messages(alice, "welcome aboard").getByTestId("edited").isVisible(), "the edit survives a reload");
  await messages(alice, "welcome aboard").getByTestId("reaction").filter({ hasText: "👍 1" }).waitFor();
  assert.match(await messages(alice, "glad to be here").getByTestId("reply-quote").textContent(), /welcome/);
  await assertNoDuplicates(alice, "alice after the reload", ["welcome aboard", "glad to be here", "filler 11", "filler 60"]);

  if (restart) {
    step("bob's gateway stops: bob sees the banner");
    await ask("STOP 1");
    await bob.getByTestId("connection-banner").waitFor({ state: "visible" });
    step("while it is down, alice writes, and bob writes too (held until it is back)");
    await send(alice, "sent while you were away");
    await send(bob, "written while offline");
    await bob.getByTestId("pending-message").filter({ hasText: "written while offline" }).waitFor();
    await ask("START 1");
    step("bob's gateway is back: the banner goes, nothing is lost or doubled");
    await bob.getByTestId("connection-banner").waitFor({ state: "hidden", timeout: 60_000 });
    await messages(bob, "sent while you were away").waitFor();
    await messages(alice, "written while offline").waitFor();
    // Alice can see it before Bob's page has drawn the acknowledgement: wait for that, do not race it.
    await until("bob's held message to leave the pending list", async () => (await bob.getByTestId("pending-message").count()) === 0);
    await send(bob, "back again");
    await send(alice, "welcome back");
    await messages(alice, "back again").waitFor();
    await messages(bob, "welcome back").waitFor();
    // The same for alice's own "welcome back": bob may see it before her page drew its acknowledgement.
    await until("alice's message to leave the pending list", async () => (await alice.getByTestId("pending-message").count()) === 0);
    const texts = ["sent while you were away", "written while offline", "back again", "welcome back"];
    await assertNoDuplicates(bob, "bob after the restart", texts);
    await assertNoDuplicates(alice, "alice after the restart", texts);
  }

  step("narrow screen: the sidebar collapses behind a button");
  await bob.setViewportSize({ width: 390, height: 800 });
  assert.equal(await bob.locator("#sidebar").isVisible(), false, "no sidebar on a narrow screen");
  await bob.getByRole("button", { name: "☰ Channels" }).click();
  assert.equal(await bob.locator("#sidebar").isVisible(), true, "the button opens the sidebar");
  await bob.keyboard.press("Escape");
  assert.equal(await bob.locator("#sidebar").isVisible(), false, "Escape closes it");

  console.log(`web e2e passed: channel ${channelId}, ${await messages(alice).count()} messages, ${gateways.length} gateway(s)`);
} catch (error) {
  await diagnose(pages);
  throw error;
} finally {
  await browser.close();
  closeAsk();
}
