// What the browser tests share: Debian's Chromium driven by playwright-core, signing in through the
// page, waiting on conditions (never on time), and a diagnosis of each page when a step fails.
import assert from "node:assert/strict";
import readline from "node:readline";
import { chromium } from "playwright-core";

export const timeout = 20_000;

const started = Date.now();
export const step = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${text}`);

/** Polls until fn() is truthy; fails naming what it waited for. */
export async function until(what, fn, ms = timeout) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

let lines = null;

/**
 * Asks whoever runs the script (WebClientTests) for something the page cannot do, such as restarting
 * a gateway: prints "CRYB-E2E <command>" and waits for a line on stdin once it is done.
 */
export async function ask(command) {
  lines ??= readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  console.log(`CRYB-E2E ${command}`);
  const answer = await lines.next();
  assert.ok(!answer.done, `stdin closed while waiting for "${command}" to be done`);
}

/** Lets the script end: stdin is no longer read. */
export function closeAsk() {
  lines?.return?.();
  process.stdin.destroy();
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    // CI runs as root, where Chromium's sandbox cannot start.
    args: ["--no-sandbox"],
  });
}

/** A new window of `browser` on `gateway` at `path`, signed in as `userId` through the sign-in form. */
export async function signIn(browser, gateway, userId, displayName, path = "/") {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on("pageerror", (error) => console.log(`[${userId}] page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") console.log(`[${userId}] console: ${message.text()}`);
  });
  page.on("dialog", (dialog) => dialog.accept());
  const response = await page.goto(`${gateway}${path}`);
  assert.equal(response.status(), 200, `GET ${gateway}${path}`);
  assert.match(response.headers()["content-security-policy"] ?? "", /default-src 'self'/);
  await page.getByLabel("User name").fill(userId);
  await page.getByLabel("Display name (optional)").fill(displayName);
  await page.getByRole("button", { name: "Sign in" }).click();
  await waitReady(page);
  return page;
}

export const waitReady = (page) => page.waitForFunction(() => window.cryb?.store?.ready === true && window.cryb.store.connection === "connected");

/** Messages whose own content holds `text` (a reply's quote of another message does not count). */
export const messages = (page, text) =>
  text === undefined
    ? page.locator("[data-testid=message]")
    : page.locator("[data-testid=message]").filter({ has: page.getByTestId("message-content").filter({ hasText: text }) });
export const composer = (page) => page.getByLabel("Message", { exact: true });
export const member = (page, userId, status) =>
  page.locator(`[data-testid=member][data-user-id="${userId}"]${status ? `[data-status="${status}"]` : ""}`);

export async function send(page, text) {
  await composer(page).fill(text);
  await composer(page).press("Enter");
}

/** Each message id once, and the given texts each exactly once. */
export async function assertNoDuplicates(page, who, texts) {
  const ids = await messages(page).evaluateAll((nodes) => nodes.map((n) => n.dataset.messageId));
  assert.equal(new Set(ids).size, ids.length, `${who} shows a message twice: ${ids}`);
  for (const text of texts) assert.equal(await messages(page, text).count(), 1, `${who} shows "${text}" exactly once`);
}

/** On a failure: what each page's store held, and a screenshot of each (CRYB_E2E_OUTPUT, default e2e/output). */
export async function diagnose(pages) {
  const output = process.env.CRYB_E2E_OUTPUT ?? new URL("./output/", import.meta.url).pathname;
  await import("node:fs/promises").then((fs) => fs.mkdir(output, { recursive: true }));
  for (const [name, page] of pages) {
    try {
      const state = await page.evaluate(() => {
        const store = window.cryb?.store;
        if (!store) return null;
        return {
          connection: store.connection,
          ready: store.ready,
          active: store.activeId,
          notice: store.notice,
          pending: [...store.pending.values()],
          channels: [...store.channels.values()].map((v) => ({
            id: v.channel.id,
            guildId: v.channel.guildId,
            lastAppliedSeq: v.lastAppliedSeq,
            oldestLoadedSeq: v.oldestLoadedSeq,
            unread: v.unread,
            messages: [...v.messages.values()].map((m) => `${m.seq}/${m.revisionSeq} ${m.authorId}: ${m.content.slice(0, 40)}`).sort(),
          })),
          presence: [...store.presence.values()].slice(0, 20).map((p) => `${p.userId} ${p.status} ${p.activity ? `${p.activity.kind}: ${p.activity.name}` : "-"}`),
          selectedGuild: store.selectedGuildId,
          invite: store.invite,
          guilds: [...store.guilds.values()].map((g) => ({
            info: g.info,
            channels: [...g.channels.values()].map((c) => `${c.type} ${c.name} ${c.id} in ${c.parentId}`),
            roles: [...g.roles.values()].map((r) => `${r.name} ${r.id} @${r.position}`),
            members: [...g.members.values()].slice(0, 20).map((m) => `${m.userId} [${m.roleIds}] v${m.version}`),
            memberRequest: g.memberRequest,
          })),
        };
      });
      console.log(`--- ${name} state: ${JSON.stringify(state, null, 1)}`);
      await page.screenshot({ path: `${output}/${name}.png` });
      console.log(`--- ${name} screenshot: ${output}/${name}.png`);
    } catch (error) {
      console.log(`--- ${name}: no diagnosis (${error.message})`);
    }
  }
}
