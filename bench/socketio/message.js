import { randomUUID } from "node:crypto";

const mentionPattern = /<@([A-Za-z0-9_.-]{1,64})>/g;

/**
 * The protocol's Message payload, field for field as Cryb's MessageCreated carries it
 * (Grains.Interfaces/Messages/ChatMessage.cs). Reply previews and reactions are not kept here:
 * no scenario sends replies or reacts.
 */
export function chatMessage({ id = randomUUID().replaceAll("-", ""), channelId, seq, authorId, content, nonce = null, replyToId = null, createdAt = new Date() }) {
  return {
    id,
    channelId,
    seq,
    authorId,
    content,
    nonce,
    replyToId,
    createdAt,
    editedAt: null,
    revisionSeq: seq,
    deleted: false,
    mentions: mentionsOf(content),
    replyTo: null,
    reactions: [],
  };
}

function mentionsOf(content) {
  if (!content.includes("<@")) {
    return [];
  }
  return [...new Set(Array.from(content.matchAll(mentionPattern), (match) => match[1]))].slice(0, 50);
}
