// The stack Cryb replaces, as a careful Socket.IO user would run it: WebSocket transport only, the
// Redis adapter between processes, JWT checked on connect, and per message a Redis INCR for the
// channel's seq and one durable PostgreSQL INSERT before the acknowledgement and the broadcast.
// README.md beside this file says how ./cryb bench runs it.
import { createServer } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { issueDevToken, requireToken } from "./auth.js";
import { handleChat } from "./chat.js";
import { settings } from "./settings.js";
import { Store } from "./store.js";

const store = new Store({ connectionString: settings.postgres, poolSize: settings.poolSize });
await store.migrate();
const redis = new Redis(settings.redis);
const pubClient = new Redis(settings.redis);
const subClient = pubClient.duplicate();
for (const client of [redis, pubClient, subClient]) {
  // ioredis reconnects by itself; without a handler its errors would be unhandled events.
  client.on("error", (error) => console.error(`${settings.name}: Redis: ${error.message}`));
}

const http = createServer((request, response) => {
  // Socket.IO answers its own path before this handler sees it.
  if (request.method === "POST" && request.url === "/auth/dev-token") {
    return devToken(request, response);
  }
  if (request.method === "GET" && request.url === "/health/live") {
    return reply(response, 200, { status: "live" });
  }
  if (request.method === "GET" && request.url === "/health/ready") {
    return Promise.all([store.ping(), redis.ping()]).then(
      () => reply(response, 200, { status: "ready" }),
      (error) => reply(response, 503, { status: "unavailable", error: error.message }));
  }
  reply(response, 404, { error: "not_found" });
});

const io = new Server(http, {
  transports: ["websocket"],
  serveClient: false,
  adapter: createAdapter(pubClient, subClient),
});
// Socket.IO's performance advice: do not keep each connection's first HTTP request in memory.
io.engine.on("connection", (rawSocket) => {
  rawSocket.request = null;
});
io.use(requireToken(settings));
io.on("connection", (socket) => handleChat(io, socket, { store, redis }));

http.listen(settings.port, settings.host, () => console.log(`${settings.name}: listening on http://${settings.host}:${settings.port}`));

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    io.close();
    Promise.allSettled([store.end(), redis.quit(), pubClient.quit(), subClient.quit()]).then(() => process.exit(0));
  });
}

async function devToken(request, response) {
  let body = "";
  for await (const chunk of request) {
    body += chunk;
  }
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    return reply(response, 400, { title: "invalid_argument", detail: "The body is not JSON." });
  }
  const token = await issueDevToken(settings, parsed);
  return token
    ? reply(response, 200, { token })
    : reply(response, 400, { title: "invalid_argument", detail: "userId must be 1 to 64 letters, digits, '_', '-' or '.'." });
}

function reply(response, status, body) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
