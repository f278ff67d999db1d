// One-off check (not committed): 20 connections through a load balancer, negotiating or not.
import * as signalR from "@microsoft/signalr";
const lb = process.env.LB ?? "http://127.0.0.1:8000";
const skip = process.env.SKIP === "1";
let ok = 0, failed = 0; const errors = new Set();
for (let i = 0; i < 20; i++) {
  const userId = `affinity-${Date.now().toString(36)}-${i}`;
  const r = await fetch(`${lb}/auth/dev-token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId, displayName: userId }) });
  const { token } = await r.json();
  const options = { accessTokenFactory: () => token };
  if (skip) Object.assign(options, { skipNegotiation: true, transport: signalR.HttpTransportType.WebSockets });
  else options.transport = signalR.HttpTransportType.WebSockets;
  const c = new signalR.HubConnectionBuilder().withUrl(`${lb}/hubs/chat`, options).configureLogging(signalR.LogLevel.None).build();
  try {
    const ready = new Promise((res, rej) => { c.on("Ready", res); setTimeout(() => rej(new Error("no Ready")), 10000).unref(); });
    await c.start(); await ready; ok++;
  } catch (e) { failed++; errors.add(String(e.message).slice(0, 120)); }
  await c.stop().catch(() => {});
}
console.log(JSON.stringify({ lb, skipNegotiation: skip, ok, failed, errors: [...errors] }));
