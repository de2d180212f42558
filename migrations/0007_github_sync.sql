-- What the GitHub sync knows about each tracked item, whichever WGs track it: when it was last
-- asked about and last read, the ETag of the last answer (a conditional request answered 304
-- costs nothing with a token), and the last problem. The sync asks about the items asked least
-- recently first, so a pass cut short by the rate limit resumes where it stopped.
CREATE TABLE github_sync (
    -- The item reference as the audit log stores it (its JSON).
    item            TEXT PRIMARY KEY,
    etag            TEXT,
    -- Governance-clock milliseconds.
    last_attempt_at INTEGER,
    last_read_at    INTEGER,
    last_error      TEXT
);
