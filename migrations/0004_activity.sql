-- Activity in groups' Discord channels: counts only, never what was said.

-- A message finds its group by the channel it was posted in.
CREATE INDEX groups_by_channel ON groups (json_extract(state_json, '$.channel'));

-- Messages per group and week (weeks start on Monday, UTC; `week_start` is that date,
-- 'YYYY-MM-DD'). `noted_day` is the last UTC day govbot told the governance core that the group
-- spoke, so it does so at most once a day.
CREATE TABLE channel_activity (
    group_id        INTEGER NOT NULL REFERENCES groups (id),
    week_start      TEXT    NOT NULL,
    messages        INTEGER NOT NULL,
    last_message_at INTEGER NOT NULL,
    noted_day       TEXT,
    PRIMARY KEY (group_id, week_start)
) WITHOUT ROWID;

-- Who spoke in a group's channel in a week, so distinct participants are counted exactly.
CREATE TABLE channel_participants (
    group_id   INTEGER NOT NULL REFERENCES groups (id),
    week_start TEXT    NOT NULL,
    user_id    INTEGER NOT NULL,
    PRIMARY KEY (group_id, week_start, user_id)
) WITHOUT ROWID;

-- Messages counted in the last two days of real time (when they arrived, not the governance
-- clock), so a redelivered MESSAGE_CREATE is not counted twice; older rows are pruned as new
-- messages arrive.
CREATE TABLE counted_messages (
    message_id INTEGER PRIMARY KEY,
    counted_at INTEGER NOT NULL
);
CREATE INDEX counted_messages_by_time ON counted_messages (counted_at);
