-- Voice states: who is in which voice channel of a server. One row per user (the primary key):
-- a user has one voice session at a time across servers and devices. The server's voice grain
-- writes one upsert per join or change and one delete per leave, so a lost silo loses no state;
-- its next activation asks each row's presence grain whether the session's connection is still there.
CREATE TABLE voice_states (
    user_id       text        PRIMARY KEY,
    guild_id      text        NOT NULL,
    channel_id    text        NOT NULL,
    session_id    text        NOT NULL,
    -- The gateway connection that holds the session (the presence grain ends it when that goes).
    connection_id text        NOT NULL,
    self_mute     boolean     NOT NULL DEFAULT false,
    self_deaf     boolean     NOT NULL DEFAULT false,
    self_video    boolean     NOT NULL DEFAULT false,
    self_stream   boolean     NOT NULL DEFAULT false,
    mute          boolean     NOT NULL DEFAULT false,
    deaf          boolean     NOT NULL DEFAULT false,
    suppress      boolean     NOT NULL DEFAULT false,
    version       bigint      NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- A server's voice states, read when its voice grain activates.
CREATE INDEX voice_states_guild ON voice_states (guild_id);
