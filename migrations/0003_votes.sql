-- Votes on Discord, the scheduler and the outbox.

-- A reaction or a button on a vote message finds its group by the message.
CREATE INDEX group_messages_by_message ON group_messages (message_id);

-- The outbox is the audit log itself: what Discord must be shown (a vote message, a result, a new
-- channel) follows from each event. A cursor per consumer records the last event handled, moved
-- only after its effects are done, so a crash repeats an effect rather than losing it.
CREATE TABLE outbox_cursor (
    consumer   TEXT    PRIMARY KEY,
    last_event INTEGER NOT NULL
) WITHOUT ROWID;
-- Events written before this migration were already shown by the bot that wrote them.
INSERT INTO outbox_cursor (consumer, last_event)
    SELECT 'discord', COALESCE(MAX(id), 0) FROM audit_log;

-- Effects that kept failing and were given up, so an operator can see what Discord was not shown.
CREATE TABLE outbox_failures (
    event_id  INTEGER PRIMARY KEY REFERENCES audit_log (id),
    attempts  INTEGER NOT NULL,
    error     TEXT    NOT NULL,
    failed_at INTEGER NOT NULL
);
