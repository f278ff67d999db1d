-- Message history, appended only by the owning channel grain.
-- seq: the message's place in its channel, gapless and strictly increasing; the channel grain
--      recovers its next seq from the primary key on activation, so a send writes one row and no state.
-- revision_seq: the channel seq of the message's latest change (equal to seq until edits and
--      reactions exist); recovery after a disconnect reads changes by it.
CREATE TABLE messages (
    channel_id   text        NOT NULL,
    seq          bigint      NOT NULL,
    id           uuid        NOT NULL,
    author_id    text        NOT NULL,
    content      text        NOT NULL,
    nonce        text,
    reply_to_id  uuid,
    created_at   timestamptz NOT NULL,
    edited_at    timestamptz,
    revision_seq bigint      NOT NULL,
    CONSTRAINT messages_pkey PRIMARY KEY (channel_id, seq)
);

CREATE UNIQUE INDEX messages_id ON messages (id);

-- Idempotent sends: one message per (channel, author, nonce).
CREATE UNIQUE INDEX messages_nonce ON messages (channel_id, author_id, nonce) WHERE nonce IS NOT NULL;

CREATE INDEX messages_revision ON messages (channel_id, revision_seq);
