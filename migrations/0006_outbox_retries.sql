-- The outbox never gives up: an event whose effects on Discord failed waits here, with its retry
-- state, until they succeed (or an operator drops it with `govbot outbox drop`). The cursor in
-- `outbox_cursor` still moves past it, so other groups' effects flow while it waits; a group's
-- later events wait here behind its earlier ones, so they never overtake them.
CREATE TABLE outbox_pending (
    event_id     INTEGER PRIMARY KEY REFERENCES audit_log (id),
    group_id     INTEGER NOT NULL REFERENCES groups (id),
    -- Failed attempts so far (0: waiting behind an earlier event of the same group).
    attempts     INTEGER NOT NULL DEFAULT 0,
    -- The next attempt, in wall-clock milliseconds (retry time, not governance time).
    next_at      INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    -- What a person must fix (a permission, a deleted channel), when the error says so.
    needs_person TEXT,
    -- Whether the moderators were told about `needs_person` (once per problem).
    reported     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending_by_group ON outbox_pending (group_id, event_id);

-- Effects given up before this migration are tried again.
INSERT INTO outbox_pending (event_id, group_id, attempts, next_at, last_error)
    SELECT f.event_id, a.group_id, f.attempts, 0, f.error
    FROM outbox_failures f JOIN audit_log a ON a.id = f.event_id;
DROP TABLE outbox_failures;

-- A proposal made through the form is answered by editing the form's deferred reply, which only
-- its interaction token allows (for 15 minutes). The token waits here until the outbox has shown
-- the card; the `proposal:<interaction>` trigger links the row to its group.
CREATE TABLE proposal_interactions (
    interaction_id INTEGER PRIMARY KEY,
    token          TEXT    NOT NULL,
    channel_id     INTEGER NOT NULL,
    -- Wall-clock milliseconds: when the token stops working is real time.
    received_at    INTEGER NOT NULL
);

-- A deleted template message withdraws its proposal; the outbox says so on the card.
ALTER TABLE template_messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
