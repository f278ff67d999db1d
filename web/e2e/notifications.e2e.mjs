// Notifications in a real browser (docs/notifications.md): Alice (first gateway) and Bob (second)
// share a server. Bob mentions Alice in #general while she reads #quiet: her bell counts it, #general
// and the server in the rail show a red mention badge; the inbox lists it, and clicking it opens
// #general at the message, which clears the badges; "Mark all read" clears the bell. Alice sets
// #general to "Nothing": Bob's next mention there notifies nothing; she mutes the server for an hour
// and unmutes it. Then Alice's page is gone while Bob writes her 120 direct messages; she comes back
// (same tab, so still signed in), the page resumes from the seq it kept (ResumeNotifications, until
// not truncated), her bell shows 99+ and the inbox holds the messages, newest first. Then the
// service worker shows a push it is given as a system notification, tagged by channel, and push is
// enabled (subscribed with the cluster's key and registered) and disabled (unregistered).
//
//   CRYB_GATEWAYS=http://127.0.0.1:5080,http://127.0.0.1:5081 node e2e/notifications.e2e.mjs
import assert from "node:assert/strict";
import { closeAsk, composer, diagnose, launchBrowser, messages, send, signIn, step, until, waitReady } from "./browser.mjs";

const gateways = (process.env.CRYB_GATEWAYS ?? "http://127.0.0.1:5080,http://127.0.0.1:5081").split(",");
const run = Date.now().toString(36);
const aliceId = `alice-${run}`;
const bobId = `bob-${run}`;
const serverName = `Bell Club ${run}`;
/** Direct messages Alice misses while away: more than a page of ResumeNotifications (100). */
const missedCount = 120;

const browser = await launchBrowser();
const pages = [];

const bellCount = (page) => page.evaluate(() => (document.getElementById("inbox-count").hidden ? "" : document.getElementById("inbox-count").textContent));
const channelButton = (page, name) => page.getByTestId("guild-channel").filter({ hasText: `# ${name}` });
const channelMentions = (page, name) => channelButton(page, name).getByTestId("mentions");
const railMentions = (page) => page.locator(`[data-testid=guild][title="${serverName}"]`).getByTestId("mentions");
const title = (page) => page.locator("#channel-title").textContent();
const notifications = (page) => page.evaluate(() => [...window.cryb.store.notifications.items.values()]);
/** The page holds every notification up to the newest it heard of (no gap it would still resume). */
const caughtUp = (page) =>
  page.evaluate(() => {
    const state = window.cryb.store.notifications;
    const newest = Math.max(0, ...state.items.keys());
    return state.heldSeq !== null && state.heldSeq >= newest ? state.heldSeq : null;
  });

try {
  step(`signing in ${aliceId} on ${gateways[0]} and ${bobId} on ${gateways[1 % gateways.length]}`);
  const alice = await signIn(browser, gateways[0], aliceId, "Alice");
  const bob = await signIn(browser, gateways[1 % gateways.length], bobId, "Bob");
  pages.push(["alice", alice], ["bob", bob]);
  assert.equal(await bellCount(alice), "", "a new user's bell shows no count");

  step("alice makes a server with #general and #quiet; bob joins it with an invite");
  // Through the page's own createGuild (the rail's "+"), which holds the server before the call
  // returns, so the new channel's event finds it.
  const code = await alice.evaluate(async (name) => {
    const { client, guilds, store } = window.cryb;
    await guilds.createGuild(name);
    const guildId = store.selectedGuildId;
    await client.invoke("CreateGuildChannel", guildId, { name: "quiet", type: "text" });
    return (await client.invoke("CreateInvite", guildId, 0, 3600)).code;
  }, serverName);
  await bob.evaluate((c) => window.cryb.client.invoke("JoinGuild", c), code);
  for (const page of [alice, bob]) await page.locator(`[data-testid=guild][title="${serverName}"]`).click();
  await channelButton(alice, "quiet").click();
  await until("alice to read #quiet", async () => (await title(alice)) === "#quiet");
  await channelButton(bob, "general").click();
  await until("bob to read #general", async () => (await title(bob)) === "#general");

  step("bob mentions alice in #general: her bell, #general and the server in the rail count it");
  await send(bob, `hey <@${aliceId}>, look at this`);
  await until("alice's bell to show 1", async () => (await bellCount(alice)) === "1");
  await until("the mention badge on #general", async () => (await channelMentions(alice, "general").textContent().catch(() => null)) === "1");
  assert.equal(await railMentions(alice).textContent(), "1", "the server's badge sums its channels' mentions");
  assert.equal(await channelMentions(alice, "quiet").count(), 0, "the channel being read has no badge");
  assert.match(await alice.getByTestId("inbox-button").getAttribute("aria-label"), /1 unread/);

  step("the inbox lists it, unread: who, what, where, and the message's start");
  await alice.getByTestId("inbox-button").click();
  const mention = alice.locator("[data-testid=notification][data-kind=mention]");
  await mention.waitFor();
  assert.equal(await mention.getAttribute("data-unread"), "true");
  const text = await mention.textContent();
  assert.match(text, new RegExp(`${bobId} mentioned you`));
  assert.match(text, /in #general/);
  assert.equal(await mention.getByTestId("notification-excerpt").textContent(), `hey @${aliceId}, look at this`);
  if (process.env.CRYB_WEB_NOTIFICATIONS_SCREENSHOT) {
    await alice.screenshot({ path: process.env.CRYB_WEB_NOTIFICATIONS_SCREENSHOT });
    step(`screenshot: ${process.env.CRYB_WEB_NOTIFICATIONS_SCREENSHOT}`);
  }

  step("clicking it opens #general at the message; reading it clears both badges, not the bell");
  await mention.getByRole("button").click();
  await until("alice to be in #general", async () => (await title(alice)) === "#general");
  assert.ok(await alice.getByTestId("inbox").isHidden(), "opening a notification closes the inbox");
  await alice.locator("[data-testid=message][data-highlighted=true]").filter({ hasText: "look at this" }).waitFor();
  await until("the badge on #general to clear", async () => (await channelMentions(alice, "general").count()) === 0);
  await until("the server's badge to clear", async () => (await railMentions(alice).count()) === 0);
  assert.equal(await bellCount(alice), "1", "opening the channel does not move the inbox's read cursor");

  step("mark all read clears the bell and the entry shows read");
  await alice.getByTestId("inbox-button").click();
  await alice.getByRole("button", { name: "Mark all read" }).click();
  await until("alice's bell to clear", async () => (await bellCount(alice)) === "");
  await until("the entry to show read", async () => (await mention.getAttribute("data-unread")) === "false");
  await alice.keyboard.press("Escape");

  step("alice sets #general to notify nothing; bob's next mention there shows nowhere");
  const generalId = await alice.evaluate(() => window.cryb.store.activeId);
  await alice.getByRole("button", { name: "Notification settings for this channel" }).click();
  const settings = alice.getByTestId("notification-settings");
  await settings.waitFor();
  assert.equal(await alice.locator("#notification-settings-title").textContent(), "Notifications for #general");
  await alice.getByLabel("Notify me of").selectOption("none");
  await settings.getByRole("button", { name: "Save" }).click();
  await until("the setting to be saved", () => alice.evaluate((id) => window.cryb.store.notifications.settings.get(`channel:${id}`)?.level === "none", generalId));
  assert.ok(await settings.isHidden(), "saving closes the dialog");
  await channelButton(alice, "general").getByTestId("silenced").waitFor();
  await channelButton(alice, "quiet").click();
  await until("alice to read #quiet again", async () => (await title(alice)) === "#quiet");
  await send(bob, `<@${aliceId}> this one is ignored`);
  await messages(bob, "this one is ignored").waitFor();
  // A barrier: a mention that does notify, sent after. Notification seqs have no gaps, so once
  // alice's page holds everything up to this one, a notification for the ignored mention would be there.
  await channelButton(bob, "quiet").click();
  await until("bob to be in #quiet", async () => (await title(bob)) === "#quiet");
  await send(bob, `<@${aliceId}> but this one counts`);
  await until("alice to hear the second mention", async () => (await notifications(alice)).some((n) => n.excerpt?.includes("this one counts")));
  await until("alice's page to hold every notification", () => caughtUp(alice));
  assert.ok(!(await notifications(alice)).some((n) => n.excerpt?.includes("ignored")), "a channel set to Nothing notifies nothing");
  assert.equal(await channelMentions(alice, "general").count(), 0, "and shows no badge");
  assert.equal(await bellCount(alice), "1", "only the mention in #quiet counts");
  await alice.getByTestId("inbox-button").click();
  await alice.getByRole("button", { name: "Mark all read" }).click();
  await until("alice's bell to clear again", async () => (await bellCount(alice)) === "");

  step("alice mutes the server for an hour, from its own settings: its channels show it; then unmutes");
  const guildId = await alice.evaluate(() => window.cryb.store.selectedGuildId);
  await alice.getByRole("button", { name: "Notification settings for this server" }).click();
  await settings.waitFor();
  assert.equal(await alice.locator("#notification-settings-title").textContent(), `Notifications for ${serverName}`);
  await alice.getByLabel("Mute", { exact: true }).selectOption("1");
  await settings.getByRole("button", { name: "Save" }).click();
  const muted = await until("the server's setting", () => alice.evaluate((id) => window.cryb.store.notifications.settings.get(`guild:${id}`), guildId));
  const minutes = (Date.parse(muted.mutedUntil) - Date.now()) / 60_000;
  assert.ok(minutes > 55 && minutes <= 60, `muted for an hour (${muted.mutedUntil})`);
  await channelButton(alice, "quiet").getByTestId("silenced").waitFor();
  await alice.getByRole("button", { name: "Notification settings for this server" }).click();
  await settings.waitFor();
  assert.match(await alice.locator("#notification-mute option:checked").textContent(), /^Muted until /, "the dialog shows the mute in force");
  await alice.getByLabel("Mute", { exact: true }).selectOption("");
  await settings.getByRole("button", { name: "Save" }).click();
  await until("the server's setting to go (all defaults)", () => alice.evaluate((id) => !window.cryb.store.notifications.settings.has(`guild:${id}`), guildId));
  assert.equal(await channelButton(alice, "quiet").getByTestId("silenced").count(), 0);

  step(`alice's page goes away; bob writes her ${missedCount} direct messages meanwhile`);
  const held = await alice.evaluate((user) => Number(localStorage.getItem(`cryb.notifications.heldSeq.${user}`)), aliceId);
  assert.ok(held >= 2, `the page keeps the seq it holds (${held})`);
  await alice.goto("about:blank");
  await bob.getByTestId("guild").first().waitFor();
  await bob.locator("#home-button").click();
  await bob.getByLabel("Message a user").fill(aliceId);
  await bob.getByRole("button", { name: "Open" }).click();
  await until("bob's direct message to open", async () => (await title(bob)) === `@${aliceId}`);
  // More than ResumeNotifications' page of 100, so the page must ask until it is not truncated.
  // Sent as fast as bob's rate limit lets (5 a second), waiting out each refusal's retryAfterMs.
  await bob.evaluate(async (count) => {
    const channelId = window.cryb.store.activeId;
    for (let i = 1; i < count; i++) {
      for (;;) {
        try {
          await window.cryb.client.invoke("SendMessage", channelId, `ping ${i}`, `ping-${i}-${channelId}`, null);
          break;
        } catch (error) {
          const wait = /retryAfterMs=(\d+)/.exec(String(error))?.[1];
          if (!wait) throw error;
          await new Promise((resolve) => setTimeout(resolve, Number(wait)));
        }
      }
    }
  }, missedCount);
  await send(bob, "are you around?");
  await messages(bob, "are you around?").waitFor();

  step("alice comes back: the page resumes from the seq it kept, past a truncated page, and the inbox holds the messages");
  await alice.goto(gateways[0]);
  await waitReady(alice);
  const resume = await until("alice's ResumeNotifications", () => alice.evaluate(() => window.cryb.store.notifications.lastResume));
  assert.deepEqual(resume, { fromSeq: held, received: missedCount, toSeq: held + missedCount }, "resumed from the seq kept in localStorage, every missed one once");
  await until("alice's bell to show 99+", async () => (await bellCount(alice)) === "99+");
  assert.match(await alice.getByTestId("inbox-button").getAttribute("aria-label"), new RegExp(`${missedCount} unread`));
  await until("the mention badge on home", async () => (await alice.locator("#home-button").getByTestId("mentions").textContent().catch(() => null)) === "99+");
  await alice.getByTestId("inbox-button").click();
  const dm = alice.locator("[data-testid=notification][data-kind=directMessage][data-unread=true]");
  await until("the inbox to list the direct messages", async () => (await dm.count()) >= 25);
  const newest = dm.first();
  assert.match(await newest.textContent(), new RegExp(`${bobId} sent you a direct message`));
  assert.match(await newest.textContent(), /are you around\?/, "newest first");
  await newest.getByRole("button").click();
  await until("alice's direct message with bob to open", async () => (await title(alice)) === `@${bobId}`);
  await messages(alice, "are you around?").waitFor();
  await until("the home badge to clear", async () => (await alice.locator("#home-button").getByTestId("mentions").count()) === 0);

  step("the service worker shows a push as a system notification, one per channel");
  const origin = new URL(gateways[0]).origin;
  await alice.context().grantPermissions(["notifications"], { origin });
  const cdp = await alice.context().newCDPSession(alice);
  const registrations = [];
  cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => registrations.push(...event.registrations));
  await cdp.send("ServiceWorker.enable");
  const registration = await until("the service worker's registration", () => registrations.find((r) => r.scopeURL === `${origin}/` && !r.isDeleted));
  await alice.evaluate(() => navigator.serviceWorker.ready);
  const pushed = { seq: 99, id: "push-1", kind: "mention", priority: "high", actorId: bobId, guildId: null, channelId: "c-push", messageId: null, messageSeq: 1, excerpt: `pushed to <@${aliceId}>`, createdAt: new Date().toISOString() };
  // Delivered again while nothing shows: a worker the browser stopped between two steps of a busy
  // machine can miss one delivery, and a second copy with the same tag replaces the first.
  let deliveredAt = 0;
  const shown = await until("the push's system notification", async () => {
    const list = await alice.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag })));
    if (list.length === 0 && Date.now() - deliveredAt > 2000) {
      deliveredAt = Date.now();
      await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId: registration.registrationId, data: JSON.stringify(pushed) });
    }
    return list[0];
  });
  assert.deepEqual(shown, { title: `${bobId} mentioned you`, body: `pushed to @${aliceId}`, tag: "c-push" });

  // A cluster's gateways from before push (GetPushPublicKey) offer no push control: the page hides it.
  const asked = await alice.evaluate(() => window.cryb.client.invoke("GetPushPublicKey").then((key) => ({ key }), (error) => ({ error: String(error) })));
  if (/Method does not exist/.test(asked.error ?? "")) {
    step("this cluster's gateways have no GetPushPublicKey: the page hides the push control");
    await alice.getByTestId("inbox-button").click();
    await until("the push control to hide", () => alice.evaluate(() => window.cryb.store.push.supported === false));
    assert.ok(await alice.locator("#push-toggle").isHidden());
    await alice.keyboard.press("Escape");
  } else {
    assert.ok(asked.key, `the test cluster sends pushes (a VAPID pair in its settings): GetPushPublicKey answered ${JSON.stringify(asked)}`);
    await enablePush(alice, asked.key);
  }

  console.log(`web notifications e2e passed${asked.key ? " (push enabled and disabled)" : " (no push on this cluster)"}: ${aliceId} and ${bobId}, ${gateways.length} gateway(s)`);
} catch (error) {
  await diagnose(pages);
  throw error;
} finally {
  await browser.close();
  closeAsk();
}

/** Enable push notifications, then Disable, on a page whose cluster has the VAPID key `publicKey`. */
async function enablePush(alice, publicKey) {
  step("enable push: permission, the cluster's key, the subscription registered (keys base64url); disable unregisters it");
  // Headless Chromium has no push service to subscribe with (and none in its private windows):
  // PushManager stands in for the browser's push service, with a real P-256 key pair and auth
  // secret, so what the page sends is what a browser would send, and the server checks it.
  await alice.evaluate(async () => {
    const keys = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const p256dh = await crypto.subtle.exportKey("raw", keys.publicKey);
    const auth = crypto.getRandomValues(new Uint8Array(16)).buffer;
    const calls = (window.pushCalls = []);
    let current = null;
    PushManager.prototype.getSubscription = async () => current;
    PushManager.prototype.subscribe = async (options) => {
      calls.push({ method: "subscribe", key: btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey))) });
      current = {
        endpoint: `http://127.0.0.1:9/push/${crypto.randomUUID()}`,
        options: { applicationServerKey: new Uint8Array(options.applicationServerKey).buffer },
        getKey: (name) => (name === "p256dh" ? p256dh : auth),
        unsubscribe: async () => {
          calls.push({ method: "unsubscribe" });
          current = null;
          return true;
        },
      };
      return current;
    };
    window.pushKeys = { p256dh: btoa(String.fromCharCode(...new Uint8Array(p256dh))), auth: btoa(String.fromCharCode(...new Uint8Array(auth))) };
    const client = window.cryb.client;
    const invoke = client.invoke.bind(client);
    client.invoke = async (method, ...args) => {
      const result = await invoke(method, ...args);
      if (/PushSubscription/.test(method)) calls.push({ method, args, result });
      return result;
    };
  });
  await alice.getByTestId("inbox-button").click();
  await alice.getByRole("button", { name: "Enable push notifications" }).click();
  await alice.getByRole("button", { name: "Disable push notifications" }).waitFor();
  const calls = await alice.evaluate(() => window.pushCalls);
  const fromBase64Url = (text) => Buffer.from(text, "base64url").toString("base64");
  assert.equal(calls.find((c) => c.method === "subscribe").key, fromBase64Url(publicKey), "subscribed with the cluster's key as applicationServerKey");
  const registered = calls.find((c) => c.method === "RegisterPushSubscription");
  const keys = await alice.evaluate(() => window.pushKeys);
  assert.match(registered.args[0], /^http:\/\/127\.0\.0\.1:9\/push\//);
  assert.deepEqual([fromBase64Url(registered.args[1]), fromBase64Url(registered.args[2])], [keys.p256dh, keys.auth], "the keys, base64url");
  assert.ok(!/[+/=]/.test(registered.args[1] + registered.args[2]), "base64url has no + / or =");
  assert.ok(await alice.getByTestId("notice").isHidden(), "the server accepted the subscription");
  await alice.getByRole("button", { name: "Disable push notifications" }).click();
  await alice.getByRole("button", { name: "Enable push notifications" }).waitFor();
  const after = await alice.evaluate(() => window.pushCalls.map((c) => c.method));
  assert.deepEqual(after.slice(-2), ["UnregisterPushSubscription", "unsubscribe"], "disabling unregisters, then drops the browser's subscription");
  assert.ok(await alice.getByTestId("notice").isHidden());
}
