import { randomUUID } from "node:crypto";
import { chatMessage } from "./message.js";

const maxContentLength = 4000;
const maxMissed = 100;

/**
 * The chat operations the bench scenarios use, as Socket.IO events with acknowledgements. A
 * channel is a room; membership is the socket's rooms (a reconnecting client joins again). Every
 * acknowledgement is `{ error: "code: reason" }` on refusal, the result otherwise.
 */
export function handleChat(io, socket, { store, redis }) {
  const userId = socket.data.userId;

  socket.on("CreateChannel", async (name, isPrivate, ack) => {
    await answer(ack, async () => {
      if (typeof name !== "string" || name.trim().length === 0 || name.length > 100) {
        throw refusal("invalid_argument", "A channel name is 1 to 100 characters.");
      }
      const channel = { id: randomUUID().replaceAll("-", ""), name: name.trim(), isPrivate: isPrivate === true, ownerId: userId, createdAt: new Date(), topic: "", isDirect: false };
      await store.addChannel(channel);
      socket.join(channel.id);
      return channel;
    });
  });

  socket.on("JoinChannel", async (channelId, sinceSeq, ack) => {
    await answer(ack, async () => {
      const channel = typeof channelId === "string" ? await store.channel(channelId) : null;
      if (!channel) {
        throw refusal("not_found", "No such channel.");
      }
      if (channel.isPrivate && channel.ownerId !== userId) {
        throw refusal("forbidden", "The channel is private.");
      }
      socket.join(channel.id);
      const latestSeq = Number((await redis.get(seqKey(channel.id))) ?? 0);
      const missed = Number.isInteger(sinceSeq) ? await store.messagesSince(channel.id, sinceSeq, maxMissed + 1) : [];
      return { channel, latestSeq, missed: missed.slice(0, maxMissed), truncated: missed.length > maxMissed };
    });
  });

  // The channel's seq from Redis, one durable INSERT, then the acknowledgement and the room broadcast.
  socket.on("SendMessage", async (channelId, content, nonce, replyToId, ack) => {
    await answer(ack, async () => {
      if (typeof channelId !== "string" || !socket.rooms.has(channelId)) {
        throw refusal("not_a_member", "Join the channel first.");
      }
      if (typeof content !== "string" || content.trim().length === 0 || content.length > maxContentLength) {
        throw refusal("message_too_long", `A message is 1 to ${maxContentLength} characters.`);
      }
      const seq = await redis.incr(seqKey(channelId));
      const message = chatMessage({
        channelId, seq, authorId: userId, content,
        nonce: typeof nonce === "string" ? nonce : null,
        replyToId: typeof replyToId === "string" ? replyToId : null,
      });
      await store.addMessage(message);
      return message;
    }, (message) => io.to(channelId).emit("MessageCreated", message));
  });
}

const seqKey = (channelId) => `socketio:seq:${channelId}`;

function refusal(code, reason) {
  const error = new Error(`${code}: ${reason}`);
  error.refusal = true;
  return error;
}

/** Runs `work`, acknowledges its result or refusal, then runs `after` on a result. */
async function answer(ack, work, after) {
  if (typeof ack !== "function") {
    return;
  }
  let result;
  try {
    result = await work();
  } catch (error) {
    ack({ error: error.refusal ? error.message : `storage_unavailable: ${error.message}` });
    return;
  }
  ack(result);
  after?.(result);
}
