import pg from "pg";
import { chatMessage } from "./message.js";

// Channels and messages in tables of their own, in the same database as Cryb's.
const schema = `
CREATE TABLE IF NOT EXISTS socketio_channels (
  id text PRIMARY KEY,
  name text NOT NULL,
  is_private boolean NOT NULL,
  owner_id text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS socketio_messages (
  channel_id text NOT NULL,
  seq bigint NOT NULL,
  id text NOT NULL,
  author_id text NOT NULL,
  content text NOT NULL,
  nonce text,
  reply_to_id text,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (channel_id, seq)
);`;

// Named queries are prepared once per pooled connection, then only bound and executed.
const insertMessage = "socketio-insert-message";
const insertChannel = "socketio-insert-channel";
const selectChannel = "socketio-select-channel";
const selectSince = "socketio-select-since";

export class Store {
  constructor({ connectionString, poolSize }) {
    this.pool = new pg.Pool({ connectionString, max: poolSize });
    this.pool.on("error", (error) => console.error(`socketio: idle PostgreSQL connection failed: ${error.message}`));
  }

  /** Creates the tables if missing; the advisory lock keeps two processes starting together from racing. */
  async migrate() {
    const client = await this.pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock(hashtext('socketio_schema'))");
      await client.query(schema);
      await client.query("SELECT pg_advisory_unlock(hashtext('socketio_schema'))");
    } finally {
      client.release();
    }
  }

  /** One durable INSERT (default synchronous_commit): resolves once the row is committed. */
  async addMessage(message) {
    await this.pool.query({
      name: insertMessage,
      text: `INSERT INTO socketio_messages (channel_id, seq, id, author_id, content, nonce, reply_to_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      values: [message.channelId, message.seq, message.id, message.authorId, message.content, message.nonce, message.replyToId, message.createdAt],
    });
  }

  async addChannel(channel) {
    await this.pool.query({
      name: insertChannel,
      text: "INSERT INTO socketio_channels (id, name, is_private, owner_id, created_at) VALUES ($1, $2, $3, $4, $5)",
      values: [channel.id, channel.name, channel.isPrivate, channel.ownerId, channel.createdAt],
    });
  }

  /** The channel, or null. */
  async channel(id) {
    const { rows } = await this.pool.query({
      name: selectChannel,
      text: "SELECT id, name, is_private, owner_id, created_at FROM socketio_channels WHERE id = $1",
      values: [id],
    });
    const row = rows[0];
    return row ? { id: row.id, name: row.name, isPrivate: row.is_private, ownerId: row.owner_id, createdAt: row.created_at, topic: "", isDirect: false } : null;
  }

  /** Up to `limit` stored messages after `sinceSeq`, in seq order. */
  async messagesSince(channelId, sinceSeq, limit) {
    const { rows } = await this.pool.query({
      name: selectSince,
      text: `SELECT channel_id, seq, id, author_id, content, nonce, reply_to_id, created_at FROM socketio_messages
             WHERE channel_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      values: [channelId, sinceSeq, limit],
    });
    return rows.map((row) => chatMessage({
      id: row.id, channelId: row.channel_id, seq: Number(row.seq), authorId: row.author_id, content: row.content,
      nonce: row.nonce, replyToId: row.reply_to_id, createdAt: row.created_at,
    }));
  }

  async ping() {
    await this.pool.query("SELECT 1");
  }

  end() {
    return this.pool.end();
  }
}
