// Measures a gateway's resident memory per open connection, for deploy/README.md "Sizing".
// Opens COUNT connections (one user each: Limits__MaxConnectionsPerUser is per user) with
// skipNegotiation and WebSockets only, waits for each one's Ready, reads the gateway's VmRSS before
// and after, holds them HOLD seconds, then closes them all. Bounded in count and time; loopback only.
//
//   cd tests/js && CRYB_GATEWAY=http://127.0.0.1:5080 CRYB_GATEWAY_PID=<pid> COUNT=2000 node ../../deploy/sizing/connections.mjs
//
// Needs dev tokens (./cryb up turns them on) and the client in tests/js/node_modules.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// The client installed for the tests (run from tests/js): an import here would look beside this file.
const signalR = createRequire(join(process.cwd(), "package.json"))("@microsoft/signalr");

const gateway = process.env.CRYB_GATEWAY ?? "http://127.0.0.1:5080";
const pid = process.env.CRYB_GATEWAY_PID;
const count = Math.min(Number(process.env.COUNT ?? 1000), 10000);
const hold = Math.min(Number(process.env.HOLD ?? 10), 300);
const batch = 50;
const run = Date.now().toString(36);

if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost)(:\d+)?$/.test(gateway)) {
  throw new Error(`CRYB_GATEWAY must be a loopback address, not ${gateway}`);
}

const rssKiB = () => (pid ? Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) : NaN);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function open(i) {
  const userId = `sizing-${run}-${i}`;
  const response = await fetch(`${gateway}/auth/dev-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId, displayName: userId }),
  });
  if (response.status !== 200) throw new Error(`dev-token ${userId}: ${response.status}`);
  const { token } = await response.json();
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${gateway}/hubs/chat`, {
      accessTokenFactory: () => token,
      // One request, no affinity needed (deploy/README.md, "Load balancing and affinity").
      skipNegotiation: true,
      transport: signalR.HttpTransportType.WebSockets,
    })
    .configureLogging(signalR.LogLevel.Error)
    .build();
  const ready = new Promise((resolve, reject) => {
    connection.on("Ready", resolve);
    setTimeout(() => reject(new Error(`no Ready for ${userId} within 30 s`)), 30000).unref();
  });
  await connection.start();
  await ready;
  return connection;
}

await sleep(2000);
const before = rssKiB();
const started = Date.now();
const connections = [];
for (let i = 0; i < count; i += batch) {
  const opened = await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => open(i + j)));
  connections.push(...opened);
}
const openSeconds = (Date.now() - started) / 1000;
await sleep(hold * 1000);
const after = rssKiB();
console.log(JSON.stringify({
  gateway, connections: connections.length, openSeconds,
  rssBeforeMiB: +(before / 1024).toFixed(1), rssAfterMiB: +(after / 1024).toFixed(1),
  perConnectionKiB: +((after - before) / connections.length).toFixed(1),
}));
await Promise.all(connections.map((connection) => connection.stop()));
