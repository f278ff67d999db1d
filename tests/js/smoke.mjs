// The foundation scenario on the official @microsoft/signalr JavaScript client:
// alice on one gateway, bob on another, one channel, one message seen by both with the same seq,
// an edit, then the refusals a client must be able to parse. A channel created without a server is the
// first channel of a server of its own, so members come and go as that server's events. Exits non-zero on the first broken promise.
//
//   CRYB_GATEWAYS=http://127.0.0.1:5080,http://127.0.0.1:5081 node smoke.mjs
import * as signalR from "@microsoft/signalr";
import assert from "node:assert/strict";

const gateways = (process.env.CRYB_GATEWAYS ?? "http://127.0.0.1:5080,http://127.0.0.1:5081").split(",");
const run = Date.now().toString(36);

async function devToken(gateway, userId) {
  const response = await fetch(`${gateway}/auth/dev-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId, displayName: userId }),
  });
  assert.equal(response.status, 200, `dev-token for ${userId}`);
  return (await response.json()).token;
}

async function connect(gateway, userId) {
  const token = await devToken(gateway, userId);
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${gateway}/hubs/chat`, { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  // Every event the protocol pushes, queued per name, so the scenario can await the next one.
  const queues = new Map();
  const queue = (name) => queues.get(name) ?? queues.set(name, { items: [], waiters: [] }).get(name);
  for (const name of ["Ready", "MessageCreated", "MessageEdited", "GuildCreated", "GuildMemberAdded", "ChannelAdded"]) {
    connection.on(name, (payload) => {
      const q = queue(name);
      const waiter = q.waiters.shift();
      waiter ? waiter(payload) : q.items.push(payload);
    });
  }
  const next = (name) => {
    const q = queue(name);
    return q.items.length > 0
      ? Promise.resolve(q.items.shift())
      : new Promise((resolve, reject) => {
          q.waiters.push(resolve);
          setTimeout(() => reject(new Error(`${userId}: no ${name} within 10 s`)), 10_000).unref();
        });
  };
  await connection.start();
  return { connection, next, nextMessage: () => next("MessageCreated") };
}

// A refusal arrives as "... HubException: <code>: <reason>"; clients branch on the code.
async function refusalCode(promise) {
  try {
    await promise;
  } catch (error) {
    return /HubException: ([a-z_]+):/.exec(error.message)?.[1] ?? error.message;
  }
  throw new Error("expected a refusal");
}

const alice = await connect(gateways[0], `alice-${run}`);
const bob = await connect(gateways[1 % gateways.length], `bob-${run}`);
const ready = await alice.next("Ready");
assert.equal(ready.user.id, `alice-${run}`);
assert.deepEqual(ready.channels, []);

const channel = await alice.connection.invoke("CreateChannel", "js smoke", false);
assert.equal(channel.name, "js smoke");
assert.equal(channel.isPrivate, false);
assert.equal(channel.ownerId, `alice-${run}`);
const server = await alice.next("GuildCreated");
assert.equal(server.guild.ownerId, `alice-${run}`);
assert.ok(server.channels.some((c) => c.id === channel.id), "the channel is its server's");

const joined = await bob.connection.invoke("JoinChannel", channel.id, null);
assert.equal(joined.channel.id, channel.id);
assert.equal(joined.latestSeq, 0);
assert.deepEqual(joined.missed, []);
assert.equal(joined.truncated, false);
const memberAdded = await alice.next("GuildMemberAdded");
assert.equal(memberAdded.guildId, server.guild.id);
assert.equal(memberAdded.member.userId, `bob-${run}`);
assert.equal((await bob.next("GuildCreated")).guild.id, server.guild.id);

const sent = await alice.connection.invoke("SendMessage", channel.id, "hello from JavaScript", "nonce-1", null);
assert.equal(sent.seq, 1);
const [seenByAlice, seenByBob] = await Promise.all([alice.nextMessage(), bob.nextMessage()]);
assert.deepEqual(seenByAlice, sent);
assert.deepEqual(seenByBob, sent);

const edited = await alice.connection.invoke("EditMessage", channel.id, sent.id, "hello again");
assert.equal(edited.revisionSeq, 2);
assert.deepEqual(await bob.next("MessageEdited"), edited);

const history = await bob.connection.invoke("GetHistory", channel.id, null, 50);
assert.deepEqual(history, [edited]);

assert.equal(await refusalCode(alice.connection.invoke("SendMessage", channel.id, "", null, null)), "message_empty");
assert.equal(await refusalCode(alice.connection.invoke("SendMessage", channel.id, "x".repeat(4001), null, null)), "message_too_long");
assert.equal(await refusalCode(alice.connection.invoke("SendMessage", "no-such-channel", "hi", null, null)), "channel_not_found");
assert.equal(await refusalCode(bob.connection.invoke("EditMessage", channel.id, sent.id, "not mine")), "forbidden");

await alice.connection.stop();
await bob.connection.stop();
console.log(`js smoke passed: channel ${channel.id}, message seq ${sent.seq} seen on ${gateways.length} gateway(s)`);
