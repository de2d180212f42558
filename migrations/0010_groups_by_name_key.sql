-- A proposal looks its name's skeleton up across both kinds (`Store::similar_names`), and
-- `groups_by_name` leads with the kind, so SQLite read every proposed group through
-- `groups_by_state` instead: 70-100 ms a proposal at 100,000 groups. This index answers the
-- lookup from the name alone.
CREATE INDEX groups_by_name_key ON groups (name_key);
