// Friends and blocks in a real browser: Alice (first gateway) sends Bob (second gateway) a friend
// request from the friends panel; Bob accepts; each sees the other's presence with nothing else
// shared, and they talk in a direct message. Then Bob blocks Alice: her message collapses on his
// page, she loses the friendship, and her next message is refused. Bob unblocks her. Last, Alice
// invites Bob to a private channel: he sees the invitation and accepts it.
//
//   CRYB_GATEWAYS=http://127.0.0.1:5080,http://127.0.0.1:5081 node e2e/friends.e2e.mjs
import assert from "node:assert/strict";
import { closeAsk, diagnose, launchBrowser, messages, send, signIn, step, until } from "./browser.mjs";

const gateways = (process.env.CRYB_GATEWAYS ?? "http://127.0.0.1:5080,http://127.0.0.1:5081").split(",");
const run = Date.now().toString(36);
const aliceId = `alice-${run}`;
const bobId = `bob-${run}`;

const browser = await launchBrowser();
const pages = [];
const relationship = (page, userId, kind) =>
  page.locator(`[data-testid=relationship][data-user-id="${userId}"]${kind ? `[data-kind="${kind}"]` : ""}`);

try {
  step(`signing in ${aliceId} on ${gateways[0]} and ${bobId} on ${gateways[1 % gateways.length]}`);
  const alice = await signIn(browser, gateways[0], aliceId, "Alice");
  const bob = await signIn(browser, gateways[1 % gateways.length], bobId, "Bob");
  pages.push(["alice", alice], ["bob", bob]);

  step("alice sends bob a friend request: she sees it sent, he sees it come");
  await alice.getByLabel("Add a friend or block a user").fill(bobId);
  await alice.getByRole("button", { name: "Send friend request" }).click();
  await relationship(alice, bobId, "outgoing").waitFor();
  await relationship(bob, aliceId, "incoming").waitFor();

  step("bob accepts: friends on both pages, each online to the other with nothing else shared");
  await bob.getByRole("button", { name: `Accept ${aliceId}` }).click();
  await relationship(alice, bobId, "friend").and(alice.locator("[data-status=online]")).waitFor();
  await relationship(bob, aliceId, "friend").and(bob.locator("[data-status=online]")).waitFor();
  assert.equal(await alice.locator("#friends-title").textContent(), "Friends — 1");

  step("bob goes do-not-disturb: alice's friends list shows it");
  await bob.getByLabel("Status", { exact: true }).selectOption("dnd");
  await relationship(alice, bobId, "friend").and(alice.locator("[data-status=dnd]")).waitFor();

  step("alice messages her friend from the list");
  await alice.getByRole("button", { name: `Message ${bobId}` }).click();
  await until("alice's direct message to open", async () => (await alice.locator("#channel-title").textContent()) === `@${bobId}`);
  await send(alice, "hello, friend");
  const dm = bob.getByTestId("channel").filter({ hasText: `@${aliceId}` });
  await dm.click();
  await messages(bob, "hello, friend").waitFor();

  step("bob blocks alice: her message collapses on his page and she loses the friendship");
  await bob.getByRole("button", { name: `Block ${aliceId}` }).click();
  await relationship(bob, aliceId, "blocked").waitFor();
  await bob.getByTestId("blocked-message").waitFor();
  assert.equal(await messages(bob, "hello, friend").count(), 0, "the blocked user's message is collapsed");
  await until("the friendship to leave alice's list", async () => (await relationship(alice, bobId).count()) === 0);

  step("alice writes again: refused, and said so");
  await send(alice, "are you there?");
  await alice.locator("[data-testid=notice][data-code=blocked]").waitFor();
  assert.match(await alice.getByTestId("notice").textContent(), /not accepting/);

  step("bob shows the collapsed message, then unblocks alice: nothing comes back");
  await bob.getByTestId("blocked-message").getByRole("button", { name: "Show" }).click();
  await messages(bob, "hello, friend").waitFor();
  await bob.getByRole("button", { name: `Unblock ${aliceId}` }).click();
  await until("bob's list to be empty", async () => (await bob.getByTestId("relationship").count()) === 0);
  assert.equal(await alice.getByTestId("relationship").count(), 0);

  step("alice invites bob to a private channel: nothing joins him until he accepts");
  await alice.evaluate(async (bob) => {
    const channel = await window.cryb.client.invoke("CreateChannel", "plans", true);
    await window.cryb.client.invoke("InviteToChannel", channel.id, bob);
  }, bobId);
  const invitation = bob.getByTestId("invitation").filter({ hasText: "#plans" });
  await invitation.waitFor();
  assert.match(await invitation.textContent(), new RegExp(`from ${aliceId}`));
  assert.equal(await bob.locator('[data-testid=guild][title="plans"]').count(), 0, "an invitation joins nothing");
  await bob.getByRole("button", { name: "Accept the invitation to plans" }).click();
  await bob.locator('[data-testid=guild][title="plans"]').waitFor();
  await until("the invitation to leave bob's list", async () => (await bob.getByTestId("invitation").count()) === 0);

  console.log(`web friends e2e passed: ${aliceId} and ${bobId}, ${gateways.length} gateway(s)`);
} catch (error) {
  await diagnose(pages);
  throw error;
} finally {
  await browser.close();
  closeAsk();
}
