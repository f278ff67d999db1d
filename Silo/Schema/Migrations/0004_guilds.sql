-- Servers (guilds): members, bans and invites as rows, so that a join writes one row whatever the
-- server's size. The server's structure (roles, channels, overwrites) is its grain's state.
CREATE TABLE guild_members (
    guild_id  text        NOT NULL,
    user_id   text        NOT NULL,
    -- What name queries match: the nickname, else the display name the user had when they joined.
    name      text        NOT NULL,
    nickname  text,
    role_ids  text[]      NOT NULL DEFAULT '{}',
    joined_at timestamptz NOT NULL,
    version   bigint      NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- Name-prefix queries ("lower(name) LIKE 'ab%'") of one server, in name order.
CREATE INDEX guild_members_name ON guild_members (guild_id, lower(name) text_pattern_ops);

CREATE TABLE guild_bans (
    guild_id  text        NOT NULL,
    user_id   text        NOT NULL,
    banned_by text        NOT NULL,
    reason    text        NOT NULL DEFAULT '',
    banned_at timestamptz NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE guild_invites (
    code       text        PRIMARY KEY,
    guild_id   text        NOT NULL,
    created_by text        NOT NULL,
    -- 0: no limit.
    max_uses   integer     NOT NULL DEFAULT 0,
    uses       integer     NOT NULL DEFAULT 0,
    expires_at timestamptz,
    revoked    boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL
);

CREATE INDEX guild_invites_guild ON guild_invites (guild_id);
