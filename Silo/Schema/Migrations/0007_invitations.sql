-- Invitations to channels and servers, waiting for the invitee's answer: nobody joins a channel or
-- server by someone else's hand alone. One row per invitee and channel (inviting again refreshes
-- it); an invitee keeps at most their newest 100, so a flood pushes out only the flood's own.
-- Written by the invitee's relationship grain.
CREATE TABLE channel_invitations (
    user_id      text        NOT NULL,
    channel_id   text        NOT NULL,
    channel_name text        NOT NULL,
    inviter_id   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (user_id, channel_id)
);
