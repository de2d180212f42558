-- What the Discord adapter needs to remember across restarts.

-- Template messages posted in the creation channel, so an edit or a deletion finds the proposal
-- and govbot's reply, and a replayed MESSAGE_CREATE is recognised.
CREATE TABLE template_messages (
    message_id  INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    group_id    INTEGER REFERENCES groups (id),
    reply_id    INTEGER,
    -- The edit time (ms) of the last version handled, so a replayed MESSAGE_UPDATE is ignored.
    last_edit   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX template_messages_by_group ON template_messages (group_id);

-- The slash-command part of a proposal, kept while its modal is open; the modal's custom_id
-- names the draft, so a submission works even after a restart.
CREATE TABLE drafts (
    id           INTEGER PRIMARY KEY,
    proposer_id  INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('IG', 'WG')),
    name         TEXT    NOT NULL,
    people_json  TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);

-- Messages govbot posted about a group (the moderators' announcement, later the vote message),
-- so they can be edited as the group changes.
CREATE TABLE group_messages (
    group_id    INTEGER NOT NULL REFERENCES groups (id),
    purpose     TEXT    NOT NULL,
    channel_id  INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    PRIMARY KEY (group_id, purpose)
) WITHOUT ROWID;
