-- The audit log becomes a hash chain (docs/audit.md). Each event stores `prev_hash`, the hash of
-- the event before it in the whole log, and `hash`, SHA-256 over the canonical serialisation of
-- its own content and `prev_hash`: rewriting, removing or inserting an event changes the hash of
-- every event after it, so a head seen earlier no longer appears. The first event chains from
-- this database's own random genesis.
--
-- SQLite cannot compute SHA-256, so govbot computes the hashes: the events written before this
-- migration are sealed, in order, by the first open after it (`Store::migrate`), and every later
-- event is written with its hashes by `Store::execute`. This file only adds the columns, the
-- genesis and the rules the database itself enforces on every client.

-- One row: the chain's start, and where the events written before the chain end.
CREATE TABLE audit_genesis (
    only           INTEGER PRIMARY KEY CHECK (only = 1),
    -- 32 random bytes (SQLite's randomblob, seeded by the operating system), lower-case hex:
    -- the `prev_hash` of the first event.
    genesis        TEXT    NOT NULL CHECK (length(genesis) = 64),
    -- Events up to this id were written before this migration and are sealed after it; the
    -- append rules below held for every later one.
    sealed_through INTEGER NOT NULL,
    -- Wall-clock milliseconds.
    created_at     INTEGER NOT NULL
);
INSERT INTO audit_genesis (only, genesis, sealed_through, created_at)
    SELECT 1, lower(hex(randomblob(32))), COALESCE(MAX(id), 0),
           CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM audit_log;
-- REPLACE deletes the conflicting row without firing DELETE triggers, so a second row is refused
-- before the conflict is even looked at.
CREATE TRIGGER audit_genesis_refuses_insert BEFORE INSERT ON audit_genesis
WHEN EXISTS (SELECT 1 FROM audit_genesis)
BEGIN
    SELECT RAISE(ABORT, 'audit_genesis is written once, by its migration');
END;
CREATE TRIGGER audit_genesis_refuses_update BEFORE UPDATE ON audit_genesis
BEGIN
    SELECT RAISE(ABORT, 'audit_genesis cannot be changed');
END;
CREATE TRIGGER audit_genesis_refuses_delete BEFORE DELETE ON audit_genesis
BEGIN
    SELECT RAISE(ABORT, 'audit_genesis cannot be deleted');
END;

-- Lower-case hex SHA-256, 64 characters; NULL only on events written before this migration,
-- until they are sealed.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

-- Still no change to any event, with one exception: sealing an event written before this
-- migration, which sets its two hashes once and touches nothing else.
DROP TRIGGER audit_log_refuses_update;
CREATE TRIGGER audit_log_refuses_update BEFORE UPDATE ON audit_log
WHEN NOT (
    OLD.hash IS NULL AND OLD.prev_hash IS NULL
    AND NEW.hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
    AND OLD.id <= (SELECT sealed_through FROM audit_genesis)
    AND NEW.id IS OLD.id AND NEW.group_id IS OLD.group_id AND NEW.seq IS OLD.seq
    AND NEW.at IS OLD.at AND NEW.actor IS OLD.actor AND NEW.kind IS OLD.kind
    AND NEW.reason IS OLD.reason AND NEW.trigger_key IS OLD.trigger_key
    AND NEW.event_json IS OLD.event_json
)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: its rows cannot be changed');
END;

-- Appends only, in order. Each new event names its id explicitly, the next one; so
-- `INSERT OR REPLACE` of an existing event (whose REPLACE would delete the old row without firing
-- the DELETE trigger) and an insert between existing events are refused before any conflict is
-- resolved. Within its group an event takes the next `seq` and is not earlier than the group's
-- previous event; it links to the last event's hash (the genesis for the first); and it carries
-- a hash. The id must also be past every id the log ever gave (`sqlite_sequence`), so an event
-- removed from the end cannot be replaced by a new one under its id.
CREATE TRIGGER audit_log_appends_in_order BEFORE INSERT ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: a new event takes the next id (REPLACE and out-of-order inserts are refused)')
    WHERE NEW.id IS NOT (SELECT COALESCE(MAX(id), 0) + 1 FROM audit_log);
    SELECT RAISE(ABORT, 'audit_log is append-only: this event id was used before (events were removed from the end of the log)')
    WHERE NEW.id <= (SELECT seq FROM sqlite_sequence WHERE name = 'audit_log');
    SELECT RAISE(ABORT, 'audit_log is append-only: a new event takes its group''s next seq')
    WHERE NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log WHERE group_id = NEW.group_id);
    SELECT RAISE(ABORT, 'audit_log is append-only: a new event cannot be earlier than its group''s previous event')
    WHERE NEW.at < (SELECT at FROM audit_log WHERE group_id = NEW.group_id ORDER BY seq DESC LIMIT 1);
    SELECT RAISE(ABORT, 'audit_log is a hash chain: a new event''s prev_hash must be the hash of the last event (the genesis for the first)')
    WHERE NEW.prev_hash IS NOT COALESCE(
        (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1),
        (SELECT genesis FROM audit_genesis WHERE NOT EXISTS (SELECT 1 FROM audit_log)));
    SELECT RAISE(ABORT, 'audit_log is a hash chain: a new event needs its hash (64 lower-case hex digits)')
    WHERE NEW.hash IS NULL OR length(NEW.hash) != 64 OR NEW.hash GLOB '*[^0-9a-f]*';
END;

-- Each start of `govbot run --accept-broken-audit` on a log that failed verification, with what
-- was wrong: accepting a broken log leaves a trace.
CREATE TABLE audit_acceptances (
    id          INTEGER PRIMARY KEY,
    -- Wall-clock milliseconds.
    accepted_at INTEGER NOT NULL,
    events      INTEGER NOT NULL,
    head        TEXT    NOT NULL,
    problem     TEXT    NOT NULL
);

-- The head of the log posted in #community-moderators once per period (`[audit]
-- post_head_every`): recorded by the scheduler when a period starts, then shown by the outbox
-- exactly once, retried with backoff until it is.
CREATE TABLE audit_heads (
    -- The period's start, in governance milliseconds (a multiple of the period since the epoch).
    period_start INTEGER PRIMARY KEY,
    -- Governance milliseconds.
    recorded_at  INTEGER NOT NULL,
    events       INTEGER NOT NULL,
    head         TEXT    NOT NULL,
    -- What verification found wrong when the head was recorded; NULL when the log verified.
    problem      TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    -- Wall-clock milliseconds of the next attempt.
    next_at      INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    channel_id   INTEGER,
    message_id   INTEGER
);
