// A STAND-IN for a LiveKit server's RoomService, not LiveKit: no LiveKit server can run on these
// machines. It speaks the three Twirp endpoints voice moderation calls, and judges each call as
// LiveKit would judge its form: the Bearer token through LiveKit's own TokenVerifier (room admin,
// for the room the body names), the body through LiveKit's own protocol messages (an unknown or
// misspelled field is refused). It records every accepted call for the test to read.
//   node livekit-standin.mjs           prints "listening <port>" once ready
//   GET  /calls                        the accepted calls so far, as JSON
//   GET  /calls?more-than=N            the same, once there are more than N (or after 10 s): a test waits on it
//   POST /fail-next                    the next call is refused with a Twirp "unavailable" error
import { createServer } from "node:http";
import { TokenVerifier } from "livekit-server-sdk";
import { MuteRoomTrackRequest, RoomParticipantIdentity, UpdateParticipantRequest } from "@livekit/protocol";

const verifier = new TokenVerifier(process.env.LIVEKIT_API_KEY, process.env.LIVEKIT_API_SECRET);
const methods = {
  RemoveParticipant: RoomParticipantIdentity,
  MutePublishedTrack: MuteRoomTrackRequest,
  UpdateParticipant: UpdateParticipantRequest,
};
const calls = [];
let failNext = false;
/** Requests waiting for more calls than they have seen: answered on the next accepted call, or after 10 s. */
let waiting = [];

const answerCalls = (response) => {
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify(calls));
};

const twirpError = (response, status, code, msg) => {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify({ code, msg }));
};

const server = createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const body = Buffer.concat(chunks).toString("utf8");
  const url = new URL(request.url ?? "/", "http://stand-in");
  if (request.method === "GET" && url.pathname === "/calls") {
    const seen = Number(url.searchParams.get("more-than") ?? -1);
    if (calls.length > seen) return answerCalls(response);
    const waiter = { seen, response, timer: setTimeout(() => { waiting = waiting.filter((other) => other !== waiter); answerCalls(response); }, 10_000) };
    waiting.push(waiter);
    return;
  }
  if (request.method === "POST" && request.url === "/fail-next") {
    failNext = true;
    response.writeHead(204);
    return response.end();
  }
  const match = /^\/twirp\/livekit\.RoomService\/(\w+)$/.exec(request.url ?? "");
  const message = match && methods[match[1]];
  if (request.method !== "POST" || !message) return twirpError(response, 404, "bad_route", `no such method: ${request.url}`);
  let parsed;
  try {
    parsed = message.fromJsonString(body);
  } catch (error) {
    return twirpError(response, 400, "malformed", error.message);
  }
  let claims;
  try {
    claims = await verifier.verify((request.headers.authorization ?? "").replace(/^Bearer /, ""));
  } catch (error) {
    return twirpError(response, 401, "unauthenticated", error.message);
  }
  if (!claims.video?.roomAdmin || claims.video.room !== parsed.room) {
    return twirpError(response, 403, "permission_denied", "the token is not this room's admin");
  }
  if (failNext) {
    failNext = false;
    return twirpError(response, 503, "unavailable", "stand-in told to fail");
  }
  calls.push({ method: match[1], request: parsed.toJson() });
  for (const waiter of waiting.filter((waiter) => calls.length > waiter.seen)) {
    clearTimeout(waiter.timer);
    answerCalls(waiter.response);
  }
  waiting = waiting.filter((waiter) => calls.length <= waiter.seen);
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify(match[1] === "UpdateParticipant" ? { identity: parsed.identity } : {}));
});

server.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
