-- Edits, deletions, mentions, replies and reactions.
-- Every change a client must see takes the channel's next seq and stores it as the message's
-- revision_seq; the unique index makes a second activation's stale seq fail instead of duplicating.
ALTER TABLE messages
    ADD COLUMN deleted         boolean NOT NULL DEFAULT false,
    ADD COLUMN mentions        text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN reply_author_id text,
    ADD COLUMN reply_excerpt   text;

DROP INDEX messages_revision;
CREATE UNIQUE INDEX messages_revision ON messages (channel_id, revision_seq);

-- One row per (message, emoji, user): "one per user per emoji" is the primary key.
CREATE TABLE reactions (
    message_id uuid        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    emoji      text        NOT NULL,
    user_id    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, emoji, user_id)
);
