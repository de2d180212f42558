-- Every action costs the same whatever the size of the community: a ballot writes a row instead
-- of rewriting its group's state, a message finds its group by a real column, similar names come
-- from an index, and a vote message remembers what it shows.
--
-- Only portable SQL in the tables below. The data moved here reads the old JSON with SQLite's
-- json_extract and json_remove, once; nothing after this migration needs them.

-- A vote and the count of its standing ballots (each voter's last ballot, unless it withdrew).
-- `id` is the audit log id of the vote's `vote_opened` event (not a foreign key: the log is the
-- source and these rows its projection, which tools may rebuild or load on their own).
CREATE TABLE votes (
    id            INTEGER PRIMARY KEY,
    group_id      INTEGER NOT NULL REFERENCES groups (id),
    -- The vote's opening instant (ms), which names it on its buttons and its message.
    opened_at     INTEGER NOT NULL,
    yes_count     INTEGER NOT NULL DEFAULT 0,
    no_count      INTEGER NOT NULL DEFAULT 0,
    abstain_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (group_id, opened_at)
);

-- Every ballot in the order cast, changes and withdrawals included; a voter's last row is their
-- standing ballot. `id` is the audit log id of the ballot's `ballot_cast` event.
CREATE TABLE ballots (
    id          INTEGER PRIMARY KEY,
    vote_id     INTEGER NOT NULL REFERENCES votes (id),
    voter       INTEGER NOT NULL,
    -- NULL: the voter withdrew their ballot.
    choice      TEXT CHECK (choice IN ('yes', 'no', 'abstain')),
    at          INTEGER NOT NULL,
    -- The interaction or reaction that cast it, as in the audit log.
    trigger_key TEXT
);
CREATE INDEX ballots_by_voter ON ballots (vote_id, voter, id);

-- The votes and ballots recorded so far, from the audit log (which names each ballot's vote: the
-- last one opened in its group before it, and its trigger), then the counts.
INSERT INTO votes (id, group_id, opened_at)
    SELECT id, group_id, at FROM audit_log WHERE kind = 'vote_opened';
INSERT INTO ballots (id, vote_id, voter, choice, at, trigger_key)
    SELECT b.id,
           (SELECT MAX(o.id) FROM audit_log o
             WHERE o.group_id = b.group_id AND o.kind = 'vote_opened' AND o.id < b.id),
           json_extract(b.event_json, '$.kind.voter'),
           json_extract(b.event_json, '$.kind.choice'),
           b.at,
           b.trigger_key
    FROM audit_log b WHERE b.kind = 'ballot_cast';
UPDATE votes SET
    yes_count = (SELECT COUNT(*) FROM ballots b WHERE b.vote_id = votes.id AND b.choice = 'yes'
        AND b.id = (SELECT MAX(c.id) FROM ballots c WHERE c.vote_id = b.vote_id AND c.voter = b.voter)),
    no_count = (SELECT COUNT(*) FROM ballots b WHERE b.vote_id = votes.id AND b.choice = 'no'
        AND b.id = (SELECT MAX(c.id) FROM ballots c WHERE c.vote_id = b.vote_id AND c.voter = b.voter)),
    abstain_count = (SELECT COUNT(*) FROM ballots b WHERE b.vote_id = votes.id AND b.choice = 'abstain'
        AND b.id = (SELECT MAX(c.id) FROM ballots c WHERE c.vote_id = b.vote_id AND c.voter = b.voter));

-- The group's state no longer carries its vote's ballots.
UPDATE groups SET state_json = json_remove(state_json, '$.vote.ballots')
    WHERE json_extract(state_json, '$.vote.ballots') IS NOT NULL;

-- A message finds its group by its channel: a real column, no longer an expression index that
-- parsed the state's JSON on every write.
DROP INDEX groups_by_channel;
ALTER TABLE groups ADD COLUMN channel_id INTEGER;
UPDATE groups SET channel_id = json_extract(state_json, '$.channel');
CREATE INDEX groups_by_channel ON groups (channel_id) WHERE channel_id IS NOT NULL;

-- The words of each group's name, for the similar-names warning on a new proposal: one indexed
-- lookup per word instead of reading every group. The words are derived in code
-- (`store::name_words`), so govbot fills this table itself at start-up whenever the version of
-- that derivation in `derived_indexes` is not its own (here: empty, so it fills it now).
CREATE TABLE group_name_words (
    word     TEXT    NOT NULL,
    group_id INTEGER NOT NULL REFERENCES groups (id),
    PRIMARY KEY (word, group_id)
);
CREATE INDEX group_name_words_by_group ON group_name_words (group_id);

-- Tables govbot derives in code, and the version of the code that derived each.
CREATE TABLE derived_indexes (
    name    TEXT    PRIMARY KEY,
    version INTEGER NOT NULL
);

-- The group version a message shows (the vote message: its tally), so a restart edits only the
-- messages that fell behind. NULL: unknown, shown again once.
ALTER TABLE group_messages ADD COLUMN shown_version INTEGER;
