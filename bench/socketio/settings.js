// Settings from the environment; ./cryb bench sets them. A missing one stops the process with its name.
function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`socketio: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

export const settings = {
  name: process.env.SOCKETIO_NAME ?? "socketio",
  host: process.env.SOCKETIO_HOST ?? "127.0.0.1",
  port: Number(required("SOCKETIO_PORT")),
  postgres: required("SOCKETIO_POSTGRES"),
  redis: required("SOCKETIO_REDIS"),
  // The same HS256 key, issuer and audience as the gateways' development tokens (Auth__SigningKey).
  signingKey: new TextEncoder().encode(required("SOCKETIO_SIGNING_KEY")),
  issuer: "cryb",
  audience: "cryb",
  // Each insert waits for its commit's WAL flush (about 2 ms here) while holding a connection, and
  // concurrent commits share one flush: 20 per process keeps enough commits in flight at thousands
  // of sends/s, far below PostgreSQL's max_connections (300 under ./cryb).
  poolSize: Number(process.env.SOCKETIO_PG_POOL ?? 20),
};
