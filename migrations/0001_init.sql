-- govbot's store: current state of every group, and the append-only audit log of its events.
-- Times are integers: milliseconds since the Unix epoch, UTC.

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('IG', 'WG')),
    name        TEXT    NOT NULL,
    -- The name folded for comparison: lower case, letters and digits only, single spaces.
    name_key    TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    proposer    INTEGER NOT NULL,
    proposed_at INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    -- The sequence number of the last event applied: state and log move together.
    version     INTEGER NOT NULL,
    -- The earliest instant at which something is due for this group (a vote closes, a grace
    -- period ends, a WG reaches its inactivity limit); NULL when nothing is.
    next_due_at INTEGER,
    state_json  TEXT    NOT NULL
);
CREATE INDEX groups_by_state ON groups (state, kind);
CREATE INDEX groups_by_name ON groups (kind, name_key);
CREATE INDEX groups_by_due ON groups (next_due_at) WHERE next_due_at IS NOT NULL;

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Deferred so a new group's first event can be written before its state row, in one transaction.
    group_id    INTEGER NOT NULL REFERENCES groups (id) DEFERRABLE INITIALLY DEFERRED,
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor       INTEGER,
    kind        TEXT    NOT NULL,
    reason      TEXT,
    trigger_key TEXT,
    event_json  TEXT    NOT NULL,
    UNIQUE (group_id, seq)
);

-- Nobody edits history: the database itself refuses, whatever the client.
CREATE TRIGGER audit_log_refuses_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: its rows cannot be changed');
END;
CREATE TRIGGER audit_log_refuses_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: its rows cannot be deleted');
END;

-- External triggers already handled (an interaction, a message, a reaction), so a replayed
-- gateway event changes nothing.
CREATE TABLE processed_triggers (
    key          TEXT    PRIMARY KEY,
    group_id     INTEGER REFERENCES groups (id) DEFERRABLE INITIALLY DEFERRED,
    processed_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Display names last seen for members, so exports and histories read as names, not numbers.
CREATE TABLE members (
    id           INTEGER PRIMARY KEY,
    display_name TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL
);
