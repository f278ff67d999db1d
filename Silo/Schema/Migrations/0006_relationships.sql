-- Friends, friend requests and blocks: one row per pair of users, the lower id first, holding each
-- side's view of the other (0 none, 1 friend, 2 incoming request, 3 outgoing request, 4 blocked).
-- One row makes a pair's change one locked row: a request crossing another, or a block racing an
-- accept, is decided on both sides at once. Written by the acting user's relationship grain; the
-- row goes when neither side holds anything.
CREATE TABLE relationships (
    low_id     text        NOT NULL,
    high_id    text        NOT NULL,
    low_kind   smallint    NOT NULL DEFAULT 0,
    high_kind  smallint    NOT NULL DEFAULT 0,
    low_since  timestamptz,
    high_since timestamptz,
    -- Grows with every change of the pair: grains holding the pair keep the newest they have read.
    version    bigint      NOT NULL,
    PRIMARY KEY (low_id, high_id),
    CHECK (low_id < high_id)
);

-- A user's rows where they are the higher id (the primary key serves the lower).
CREATE INDEX relationships_high ON relationships (high_id);

-- Friend requests sent, for the limit per 24 hours: a request cancelled and sent again counts twice.
-- Rows older than a day are deleted by the sender's next request.
CREATE TABLE friend_requests_sent (
    user_id  text        NOT NULL,
    other_id text        NOT NULL,
    sent_at  timestamptz NOT NULL
);

CREATE INDEX friend_requests_sent_user ON friend_requests_sent (user_id, sent_at);

-- Who may reach a user: 0 everyone, 1 server members and friends, 2 friends only (direct messages);
-- 0 everyone, 1 server members, 2 nobody (friend requests). No row: the defaults (1 and 0).
CREATE TABLE privacy_settings (
    user_id         text     PRIMARY KEY,
    direct_messages smallint NOT NULL,
    friend_requests smallint NOT NULL
);
