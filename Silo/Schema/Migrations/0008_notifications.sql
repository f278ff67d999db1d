-- Notifications (docs/notifications.md): one row per recipient, numbered per user without gaps, as
-- a channel numbers its messages. A message's notifications are written in the transaction that
-- stores the message (the channel's batch commit), a reaction's with the reaction, a friend
-- request's with the pair's row: what caused one is committed with it or not at all.
-- kind: 1 mention, 2 everyone (@everyone or @here), 3 role mention, 4 reply, 5 direct message,
-- 6 reaction, 7 friend request, 8 friend request accepted, 9 invitation, 10 message (level "all").
CREATE TABLE notifications (
    user_id     text        NOT NULL,
    seq         bigint      NOT NULL,
    id          uuid        NOT NULL,
    kind        smallint    NOT NULL,
    actor_id    text        NOT NULL,
    guild_id    text,
    channel_id  text,
    message_id  uuid,
    message_seq bigint,
    excerpt     text,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, seq)
);

-- Each user's counter (the newest seq, taken under the row's lock by every writer, in user id
-- order so two transactions never wait on each other in a cycle) and read cursor.
CREATE TABLE notification_inboxes (
    user_id   text   PRIMARY KEY,
    last_seq  bigint NOT NULL,
    acked_seq bigint NOT NULL DEFAULT 0
);

-- Per server (scope_kind 1) or channel (2): level 0 all, 1 mentions, 2 none, null inherit. A
-- channel's row overrides its server's, which overrides the default (mentions).
CREATE TABLE notification_settings (
    user_id           text        NOT NULL,
    scope_kind        smallint    NOT NULL,
    scope_id          text        NOT NULL,
    level             smallint,
    muted_until       timestamptz,
    suppress_everyone boolean     NOT NULL DEFAULT false,
    suppress_roles    boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (user_id, scope_kind, scope_id)
);

-- Web Push subscriptions (RFC 8030): an endpoint is one browser's; registering it again, for any
-- user, moves it.
CREATE TABLE push_subscriptions (
    endpoint   text        PRIMARY KEY,
    user_id    text        NOT NULL,
    p256dh     text        NOT NULL,
    auth       text        NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

-- Pushes to send: one row per notification and subscription, written with the notification, worked
-- by the silos (FOR UPDATE SKIP LOCKED) and deleted once the push service took it (or the
-- subscription is gone). The key deduplicates: a notification reaches a subscription at least once.
CREATE TABLE push_outbox (
    notification_id uuid        NOT NULL,
    endpoint        text        NOT NULL,
    user_id         text        NOT NULL,
    user_seq        bigint      NOT NULL,
    due_at          timestamptz NOT NULL,
    attempts        int         NOT NULL DEFAULT 0,
    PRIMARY KEY (notification_id, endpoint)
);

CREATE INDEX push_outbox_due ON push_outbox (due_at);

-- Who chose "all" for a channel or server: its channel reads them to notify every message.
CREATE INDEX notification_settings_all ON notification_settings (scope_kind, scope_id) WHERE level = 0;
