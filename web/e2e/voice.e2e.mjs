// Voice in a real browser, without media: Alice (first gateway) makes a server with a voice channel
// and Bob (second gateway) joins it. Alice joins voice with the page's Join button; Bob's page lists
// her under the channel; she mutes and Bob sees the icon; her details panel shows the LiveKit endpoint
// and a token for the channel's room; she leaves and Bob's page drops her. A moderator's mute shows
// apart from a self-mute and brings Bob a new token; a second device of Bob's takes his session over
// (his first page says so); a channel at its user limit refuses Bob, with the refusal shown; and who
// is in voice is right again after Bob's connection comes back (ResumeGuilds' voice states).
//
//   CRYB_GATEWAYS=http://127.0.0.1:5080,http://127.0.0.1:5081 node e2e/voice.e2e.mjs
//
// The cluster needs voice configured (Voice__LiveKit__Url, __ApiKey, __ApiSecret on the silos); no
// LiveKit server need listen: the page only shows what a media client would connect with.
// CRYB_WEB_VOICE_SCREENSHOT=path saves a screenshot of Bob's window (docs/web-client-voice.png).
import assert from "node:assert/strict";
import { diagnose, launchBrowser, signIn, step, until, waitReady } from "./browser.mjs";

const gateways = (process.env.CRYB_GATEWAYS ?? "http://127.0.0.1:5080,http://127.0.0.1:5081").split(",");
const second = gateways[1 % gateways.length];
const run = Date.now().toString(36);
const aliceId = `alice-${run}`;
const bobId = `bob-${run}`;
const screenshot = process.env.CRYB_WEB_VOICE_SCREENSHOT;

const browser = await launchBrowser();
const pages = [];

/** The sidebar entry of a voice channel: its row and the members listed under it. */
const voiceChannel = (page, name) => page.locator("#guild-channels li.voice").filter({ has: page.getByTestId("guild-channel").filter({ hasText: `🔊 ${name}` }) });
const inVoice = (page, channel, userId) => voiceChannel(page, channel).locator(`[data-testid=voice-member][data-user-id="${userId}"]`);
const icon = (page, channel, userId, kind) => inVoice(page, channel, userId).locator(`[data-testid=voice-icon][data-kind="${kind}"]`);
const join = (page, channel) => page.getByRole("button", { name: `Join voice in ${channel}`, exact: true }).click();
const panel = (page) => page.getByTestId("voice-panel");

/** A JWT's payload, decoded here independently of the page. */
const claimsOf = (token) => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));

try {
  step(`signing in ${aliceId} on ${gateways[0]} and ${bobId} on ${second}`);
  const alice = await signIn(browser, gateways[0], aliceId, "Alice");
  const bob = await signIn(browser, second, bobId, "Bob");
  pages.push(["alice", alice], ["bob", bob]);

  step("alice creates a server with a voice channel, bob joins it through an invite");
  await alice.getByRole("button", { name: "Add a server" }).click();
  await alice.getByLabel("Server name").fill("Voice Club");
  await alice.getByRole("button", { name: "Create server", exact: true }).click();
  await until("alice's server to open", async () => (await alice.getByTestId("guild-name").textContent()) === "Voice Club");
  const guildId = await alice.evaluate(() => window.cryb.store.selectedGuildId);
  const { lounge, code } = await alice.evaluate(async (g) => {
    const lounge = await window.cryb.client.invoke("CreateGuildChannel", g, { name: "Lounge", type: "voice" });
    const invite = await window.cryb.client.invoke("CreateInvite", g, 0, 3600);
    return { lounge, code: invite.code };
  }, guildId);
  await bob.goto(`${second}/invite/${code}`);
  await waitReady(bob);
  await bob.getByRole("button", { name: "Join server", exact: true }).click();
  await until("bob's server to open", async () => (await bob.getByTestId("guild-name").textContent()) === "Voice Club");
  for (const page of [alice, bob]) await voiceChannel(page, "Lounge").waitFor();
  assert.equal(await panel(alice).isVisible(), false, "no voice panel before joining");

  step("alice joins voice with the Join button: bob's page lists her under Lounge, her page shows the voice panel");
  await join(alice, "Lounge");
  await panel(alice).waitFor({ state: "visible" });
  assert.equal(await alice.getByTestId("voice-where").textContent(), "🔊 Lounge / Voice Club");
  await inVoice(bob, "Lounge", aliceId).waitFor();
  assert.equal(await inVoice(bob, "Lounge", aliceId).locator(".voice-member-name").textContent(), "Alice", "listed by display name");
  await inVoice(alice, "Lounge", aliceId).waitFor();
  assert.equal(await icon(bob, "Lounge", aliceId, "self-mute").count(), 0, "not muted yet");
  await alice.getByRole("button", { name: "Leave voice in Lounge", exact: true }).waitFor();

  step("alice mutes: bob's page shows her muted (her own mute, not a moderator's)");
  await alice.getByRole("button", { name: "Mute", exact: true }).click();
  await icon(bob, "Lounge", aliceId, "self-mute").waitFor();
  assert.equal(await icon(bob, "Lounge", aliceId, "self-mute").getAttribute("aria-label"), "Muted");
  assert.equal(await icon(bob, "Lounge", aliceId, "mute").count(), 0, "a self-mute is not shown as a server mute");
  assert.equal(await alice.getByRole("button", { name: "Mute", exact: true }).getAttribute("aria-pressed"), "true");
  await alice.getByRole("button", { name: "Deafen", exact: true }).click();
  await icon(bob, "Lounge", aliceId, "self-deaf").waitFor();
  assert.equal(await icon(bob, "Lounge", aliceId, "self-deaf").getAttribute("aria-label"), "Deafened");

  step("alice's details panel: the session, the LiveKit endpoint, and a token for Lounge's room with its expiry");
  await alice.getByText("Connection details", { exact: true }).click();
  const session = await alice.evaluate(() => window.cryb.store.voice);
  assert.equal(await alice.getByTestId("voice-session").textContent(), session.sessionId);
  const endpoint = await alice.getByTestId("voice-endpoint").textContent();
  assert.match(endpoint, /^wss?:\/\/\S+$/, "a LiveKit URL");
  const token = await alice.getByTestId("voice-token").inputValue();
  assert.equal(token, session.token);
  const claims = claimsOf(token);
  const room = `g${guildId}:c${lounge.id}`;
  assert.equal(claims.video?.room, room, "the token admits to the channel's room");
  assert.equal(claims.video?.roomJoin, true);
  assert.equal(claims.sub, aliceId);
  assert.equal(await alice.getByTestId("voice-room").textContent(), room);
  assert.equal(await alice.getByTestId("voice-expires").getAttribute("datetime"), new Date(claims.exp * 1000).toISOString(), "the expiry comes from the token");
  assert.ok(claims.exp - claims.nbf <= 600 + 60, "a token of about 10 minutes");

  step("alice leaves: bob's page no longer lists her, and her voice panel goes");
  await alice.getByRole("button", { name: "Leave voice", exact: true }).click();
  await until("alice to leave bob's Lounge", async () => (await inVoice(bob, "Lounge", aliceId).count()) === 0);
  await panel(alice).waitFor({ state: "hidden" });
  assert.equal(await inVoice(alice, "Lounge", aliceId).count(), 0);
  await alice.getByRole("button", { name: "Join voice in Lounge", exact: true }).waitFor();

  step("bob joins; alice (the owner) server-mutes him: both pages show a moderator's mute, and bob's token is replaced");
  await join(bob, "Lounge");
  await inVoice(alice, "Lounge", bobId).waitFor();
  // Alice's page (and his own, by the same voice state event) can hear of his join before his page
  // has applied his JoinVoice answer, which holds his session and its token.
  const before = await until("bob's voice session (his JoinVoice answer)", () => bob.evaluate(() => window.cryb.store.voice?.token ?? null));
  await alice.evaluate(({ g, user }) => window.cryb.client.invoke("SetMemberVoice", g, user, true, null, null, false), { g: guildId, user: bobId });
  for (const page of [alice, bob]) await icon(page, "Lounge", bobId, "mute").waitFor();
  assert.equal(await icon(alice, "Lounge", bobId, "mute").getAttribute("aria-label"), "Server muted");
  assert.equal(await icon(alice, "Lounge", bobId, "self-mute").count(), 0);
  const replaced = await until("bob's new token (VoiceServerUpdate)", () => bob.evaluate((old) => (window.cryb.store.voice?.token !== old ? window.cryb.store.voice?.token : null), before));
  assert.equal(claimsOf(replaced).video?.canPublish, false, "a server-muted user's token cannot publish");
  await bob.getByText("Connection details", { exact: true }).click();
  assert.equal(await bob.getByTestId("voice-token").inputValue(), replaced, "the details panel shows the new token");
  if (screenshot) {
    // Alice beside him, muted by herself: the two kinds of mute side by side.
    await join(alice, "Lounge");
    await alice.getByRole("button", { name: "Mute", exact: true }).click();
    await icon(bob, "Lounge", aliceId, "self-mute").waitFor();
    await bob.screenshot({ path: screenshot });
    step(`screenshot saved to ${screenshot}`);
    await alice.getByRole("button", { name: "Leave voice", exact: true }).click();
    await until("alice to leave bob's Lounge again", async () => (await inVoice(bob, "Lounge", aliceId).count()) === 0);
  }

  step("bob joins from a second device: it takes the session over, and his first page says so");
  const bobPhone = await signIn(browser, gateways[0], bobId, "Bob");
  pages.push(["bob-phone", bobPhone]);
  await bobPhone.locator("[data-testid=guild]").first().click();
  await voiceChannel(bobPhone, "Lounge").waitFor();
  await join(bobPhone, "Lounge");
  await panel(bobPhone).waitFor({ state: "visible" });
  await until("bob's first page to say his session moved", async () => (await bob.getByTestId("notice").getAttribute("data-code")) === "voice_moved");
  assert.match(await bob.locator("#notice-text").textContent(), /moved to another device/);
  await until("bob's first page to show he is in voice elsewhere", async () => (await bob.locator("#voice-status").textContent()) === "In voice on another device");
  assert.equal(await bob.getByTestId("voice-details").isVisible(), false, "no token for a session this page does not hold");
  await bobPhone.getByRole("button", { name: "Leave voice", exact: true }).click();
  await until("bob to leave alice's Lounge", async () => (await inVoice(alice, "Lounge", bobId).count()) === 0);
  await panel(bob).waitFor({ state: "hidden" });
  await bobPhone.context().close();
  pages.pop();
  await bob.getByRole("button", { name: "Dismiss" }).click();

  step("a channel holding one user: alice is in it, bob's Join is refused and the refusal shown");
  await alice.evaluate((g) => window.cryb.client.invoke("CreateGuildChannel", g, { name: "Booth", type: "voice", userLimit: 1 }), guildId);
  await voiceChannel(bob, "Booth").waitFor();
  await join(alice, "Booth");
  await inVoice(bob, "Booth", aliceId).waitFor();
  assert.equal(await voiceChannel(bob, "Booth").getByTestId("voice-count").textContent(), "1/1", "the user limit is shown");
  await join(bob, "Booth");
  await until("bob's refusal", async () => (await bob.getByTestId("notice").getAttribute("data-code")) === "voice_channel_full");
  assert.equal(await bob.locator("#notice-text").textContent(), "That voice channel is full.");
  assert.ok(await bob.getByTestId("notice").isVisible(), "the refusal is on screen");
  assert.equal(await inVoice(bob, "Booth", bobId).count(), 0, "bob is not in Booth");
  assert.equal(await panel(bob).isVisible(), false, "bob is not in voice");

  step("bob's connection drops; alice leaves Booth meanwhile: bob's resumed server (unchanged) no longer lists her");
  await bob.evaluate(() => window.cryb.client.stop());
  await alice.getByRole("button", { name: "Leave voice", exact: true }).click();
  await panel(alice).waitFor({ state: "hidden" });
  const resumed = bob.evaluate(() => new Promise((resolve) => {
    // The answer to ResumeGuilds, as the page receives it.
    const client = window.cryb.client;
    const invoke = client.invoke.bind(client);
    client.invoke = async (method, ...args) => {
      const result = await invoke(method, ...args);
      if (method === "ResumeGuilds") resolve(result);
      return result;
    };
  }));
  await bob.evaluate(async () => {
    window.cryb.client.stopped = false;
    await window.cryb.client.start();
  });
  const resume = (await resumed).find((r) => r.guildId === guildId);
  assert.ok(resume?.unchanged && Array.isArray(resume.voiceStates), `the server resumed unchanged, with who is in voice: ${JSON.stringify(resume)}`);
  await until("alice to leave bob's Booth after his resume", async () => (await inVoice(bob, "Booth", aliceId).count()) === 0);
  assert.equal(await voiceChannel(bob, "Booth").getByTestId("voice-count").textContent(), "0/1");

  console.log(`web voice e2e passed: server ${guildId}, room ${room}, ${gateways.length} gateway(s)`);
} catch (error) {
  await diagnose(pages);
  throw error;
} finally {
  await browser.close();
}
