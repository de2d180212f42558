//! Groups: one governance decision per transaction, and reads of current state.

use super::audit::{self, append_events};
use super::error::StoreError;
use super::triggers::{self, Trigger};
use super::{millis, Store};
use crate::governance::{
    decide, name_skeleton, names_similar, next_deadline, Acting, Command, Event, Group, GroupKind,
    GroupState,
};
use serde::{Deserialize, Serialize};
use sqlx::{Row, SqliteConnection};
use std::fmt;
use std::str::FromStr;

/// A group's number, given when it is proposed and never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GroupId(pub i64);

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for GroupId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().trim_start_matches('#');
        t.parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(GroupId)
            .ok_or_else(|| format!("{s:?} is not a group id; ids are positive numbers like 12"))
    }
}

/// What a command acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A new proposal: the store gives it the next id.
    New,
    Group(GroupId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredGroup {
    pub id: GroupId,
    pub version: i64,
    pub group: Group,
}

/// A group as a member picks it from a list: enough to name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupChoice {
    pub id: GroupId,
    pub kind: GroupKind,
    pub name: String,
    pub state: GroupState,
}

/// [`Store::groups_named_like`]: `?1` the number typed or NULL, `?2` the typed words (skeletons)
/// as a JSON array, `?3` the limit. Each typed word must begin a word of the name key; the
/// words are matched inside the index scan, so only the matches' rows are read.
pub const GROUPS_NAMED_LIKE: &str = "
    SELECT g.id, g.kind, g.name, g.state FROM groups g
    WHERE g.id = ?1
       OR g.id IN (SELECT n.id FROM groups n
                   WHERE NOT EXISTS (SELECT 1 FROM json_each(?2) w
                                     WHERE (' ' || n.name_key) NOT LIKE '% ' || w.value || '%'))
    ORDER BY g.id IS ?1 DESC,
             CASE g.state WHEN 'active' THEN 0 WHEN 'under_reversal_vote' THEN 0
                          WHEN 'proposed' THEN 1 WHEN 'under_vote' THEN 1 ELSE 2 END,
             g.name_key, g.id
    LIMIT ?3";

/// The outcome of a command that was carried out.
#[derive(Debug, Clone)]
pub struct Executed {
    pub id: GroupId,
    pub group: Group,
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    pub kind: Option<GroupKind>,
    pub state: Option<GroupState>,
}

/// States in which a group's name is taken.
const NAME_HOLDING_STATES: [GroupState; 5] = [
    GroupState::Proposed,
    GroupState::UnderVote,
    GroupState::Active,
    GroupState::UnderReversalVote,
    GroupState::Vetoed,
];

impl Store {
    /// Carries out one command: decides it against the stored state and, when allowed, appends its
    /// events and writes the new state in a single transaction, recording `trigger` so that a
    /// repeat delivery is refused as [`StoreError::Duplicate`] and changes nothing.
    ///
    /// Each decision is logged at INFO (group, kind, actor id, reason) and counted for `/metrics`,
    /// with its events.
    pub async fn execute(
        &self,
        target: Target,
        command: &Command,
        ctx: &Acting<'_>,
        trigger: Option<&Trigger>,
    ) -> Result<Executed, StoreError> {
        let result = self.decide_and_record(target, command, ctx, trigger).await;
        let kind = crate::counters::command_kind(command);
        let actor = match ctx.actor {
            crate::governance::Actor::Member { id, .. } => id.0.to_string(),
            crate::governance::Actor::System => "govbot".to_owned(),
        };
        match &result {
            Ok(done) => {
                crate::counters::decision(&kind, "recorded");
                for e in &done.events {
                    crate::counters::audit_event(e);
                }
                let reason = done.events.iter().find_map(|e| e.reason.as_deref());
                let events: Vec<&str> = done.events.iter().map(|e| e.kind.name()).collect();
                tracing::info!(
                    group = done.id.0,
                    kind,
                    actor,
                    reason,
                    events = events.join(","),
                    "decision recorded"
                );
            }
            Err(e) if e.is_user_facing() && !matches!(e, StoreError::Busy) => {
                crate::counters::decision(&kind, "refused");
                tracing::debug!(kind, actor, "decision refused: {e}");
            }
            Err(_) => crate::counters::decision(&kind, "failed"),
        }
        result
    }

    async fn decide_and_record(
        &self,
        target: Target,
        command: &Command,
        ctx: &Acting<'_>,
        trigger: Option<&Trigger>,
    ) -> Result<Executed, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(t) = trigger {
            if triggers::seen(&mut tx, t).await? {
                return Err(StoreError::Duplicate(t.describe().to_string()));
            }
        }
        let (id, current, version) = match target {
            Target::Group(id) => {
                let stored = load(&mut tx, id)
                    .await?
                    .ok_or(StoreError::UnknownGroup(id))?;
                if let Command::Amend { template } = command {
                    refuse_taken_name(&mut tx, template.kind(), &template.name, Some(id)).await?;
                }
                (id, Some(stored.group), stored.version)
            }
            Target::New => {
                if let Command::Propose { template } = command {
                    refuse_taken_name(&mut tx, template.kind(), &template.name, None).await?;
                }
                let next: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM groups")
                    .fetch_one(&mut *tx)
                    .await?;
                (GroupId(next), None, 0)
            }
        };
        // Time never goes back within a group's history (the database refuses it, see
        // `0008_audit_chain.sql`). A command whose `now` was read before another command on the
        // same group took the write lock is decided as of that group's last event instead: the
        // moment it is recorded, a few milliseconds later than its clock said.
        let later;
        let ctx = match audit::last_event_at(&mut tx, id).await? {
            Some(last) if last > ctx.now => {
                if last - ctx.now > chrono::Duration::minutes(1) {
                    tracing::warn!(
                        group = %id,
                        "the clock ({}) is behind the group's last event ({last}); deciding as of that event",
                        ctx.now
                    );
                }
                later = Acting::new(ctx.actor, last, ctx.policy);
                &later
            }
            _ => ctx,
        };
        let events = decide(current.as_ref(), command, ctx)?;
        let mut group = current;
        for e in &events {
            match group.as_mut() {
                Some(g) => g.apply(e),
                None => group = Group::from_proposal(e),
            }
        }
        let group = group.ok_or_else(|| {
            StoreError::Corrupt("a new group's first event was not its proposal".into())
        })?;
        let trigger_key = trigger.map(Trigger::key);
        append_events(&mut tx, id, version, &events, trigger_key.as_deref()).await?;
        let new_version = version + events.len() as i64;
        save(&mut tx, id, &group, new_version, millis(ctx.now)).await?;
        if let Some(t) = trigger {
            triggers::record(&mut tx, t, Some(id.0), millis(ctx.now)).await?;
        }
        tx.commit().await?;
        self.changed.send_modify(|n| *n += 1);
        Ok(Executed { id, group, events })
    }

    pub async fn group(&self, id: GroupId) -> Result<StoredGroup, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load(&mut conn, id)
            .await?
            .ok_or(StoreError::UnknownGroup(id))
    }

    /// Groups matching `filter`, by id.
    pub async fn list(&self, filter: &GroupFilter) -> Result<Vec<StoredGroup>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, version, state_json FROM groups
             WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR state = ?2)
             ORDER BY id",
        )
        .bind(filter.kind.map(GroupKind::code))
        .bind(filter.state.map(GroupState::code))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_to_group).collect()
    }

    /// Groups in any of `states` (of `kind`, if given), by id: one query for what the workers
    /// look at (running votes, live groups).
    pub async fn list_in(
        &self,
        kind: Option<GroupKind>,
        states: &[GroupState],
    ) -> Result<Vec<StoredGroup>, StoreError> {
        let codes: Vec<&str> = states.iter().map(|s| s.code()).collect();
        let rows = sqlx::query(
            "SELECT id, version, state_json FROM groups
             WHERE (?1 IS NULL OR kind = ?1) AND state IN (SELECT value FROM json_each(?2))
             ORDER BY id",
        )
        .bind(kind.map(GroupKind::code))
        .bind(serde_json::to_string(&codes)?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_to_group).collect()
    }

    /// The groups a member may mean by `typed`, the text so far of a group id option: those whose
    /// name has a word starting with each word typed (compared by [`name_skeleton`], as names are
    /// kept), and the group numbered `typed` ("3", "#3"); live groups first, then proposals, then
    /// the rest, each by name; at most `limit`. One query that reads the names from the
    /// `groups_by_name` index (kind, name key, id), and the rows of the matches only.
    pub async fn groups_named_like(
        &self,
        typed: &str,
        limit: u32,
    ) -> Result<Vec<GroupChoice>, StoreError> {
        let number = typed.parse::<GroupId>().ok().map(|id| id.0);
        let words: Vec<String> = name_skeleton(typed)
            .split(' ')
            .filter(|w| !w.is_empty())
            .take(8)
            .map(str::to_owned)
            .collect();
        let rows = sqlx::query(GROUPS_NAMED_LIKE)
            .bind(number)
            .bind(serde_json::to_string(&words)?)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.get("kind");
                let state: String = row.get("state");
                Ok(GroupChoice {
                    id: GroupId(row.get("id")),
                    kind: kind.parse().map_err(StoreError::Corrupt)?,
                    name: row.get("name"),
                    state: state.parse().map_err(StoreError::Corrupt)?,
                })
            })
            .collect()
    }

    /// Groups whose names have the same skeleton as `name` or share most of its words
    /// ([`names_similar`]), for the overlap warning on a new proposal.
    pub async fn similar_names(&self, name: &str) -> Result<Vec<StoredGroup>, StoreError> {
        let all = self.list_in(None, &NAME_HOLDING_STATES).await?;
        Ok(all
            .into_iter()
            .filter(|g| names_similar(name, &g.group.name))
            .collect())
    }

    /// Writes each group's `name_key` again where [`name_skeleton`] now gives another key (the
    /// key's definition changed: it was a case and punctuation fold before it became TR39's
    /// skeleton); returns how many changed. Run by [`Store::migrate`], so that the duplicate check
    /// never compares a new skeleton with an old key.
    pub(super) async fn rekey_names(&self) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let rows = sqlx::query("SELECT id, name, name_key FROM groups")
            .fetch_all(&mut *tx)
            .await?;
        let mut changed = 0;
        for row in &rows {
            let (id, name, key): (i64, String, String) =
                (row.get("id"), row.get("name"), row.get("name_key"));
            let skeleton = name_skeleton(&name);
            if skeleton != key {
                sqlx::query("UPDATE groups SET name_key = ? WHERE id = ?")
                    .bind(&skeleton)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                changed += 1;
            }
        }
        tx.commit().await?;
        Ok(changed)
    }
}

async fn refuse_taken_name(
    conn: &mut SqliteConnection,
    kind: GroupKind,
    name: &str,
    except: Option<GroupId>,
) -> Result<(), StoreError> {
    let row = sqlx::query(
        "SELECT id, state FROM groups WHERE kind = ? AND name_key = ? AND id IS NOT ?
         AND state IN (?, ?, ?, ?, ?) LIMIT 1",
    )
    .bind(kind.code())
    .bind(name_skeleton(name))
    .bind(except.map(|g| g.0))
    .bind(NAME_HOLDING_STATES[0].code())
    .bind(NAME_HOLDING_STATES[1].code())
    .bind(NAME_HOLDING_STATES[2].code())
    .bind(NAME_HOLDING_STATES[3].code())
    .bind(NAME_HOLDING_STATES[4].code())
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Ok(()),
        Some(row) => {
            let state: String = row.get("state");
            Err(StoreError::DuplicateName {
                kind,
                name: name.to_string(),
                existing: GroupId(row.get("id")),
                state: state
                    .parse::<GroupState>()
                    .map(|s| s.label().to_string())
                    .unwrap_or(state),
            })
        }
    }
}

async fn load(conn: &mut SqliteConnection, id: GroupId) -> Result<Option<StoredGroup>, StoreError> {
    let row = sqlx::query("SELECT id, version, state_json FROM groups WHERE id = ?")
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(row_to_group).transpose()
}

fn row_to_group(row: &sqlx::sqlite::SqliteRow) -> Result<StoredGroup, StoreError> {
    let json: String = row.get("state_json");
    Ok(StoredGroup {
        id: GroupId(row.get("id")),
        version: row.get("version"),
        group: serde_json::from_str(&json)?,
    })
}

async fn save(
    conn: &mut SqliteConnection,
    id: GroupId,
    group: &Group,
    version: i64,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO groups (id, kind, name, name_key, state, proposer, proposed_at, updated_at,
                             version, next_due_at, state_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (id) DO UPDATE SET
             name = excluded.name, name_key = excluded.name_key,
             state = excluded.state, updated_at = excluded.updated_at, version = excluded.version,
             next_due_at = excluded.next_due_at, state_json = excluded.state_json",
    )
    .bind(id.0)
    .bind(group.kind.code())
    .bind(&group.name)
    .bind(name_skeleton(&group.name))
    .bind(group.state.code())
    .bind(group.proposer.0 as i64)
    .bind(millis(group.proposed_at))
    .bind(now_ms)
    .bind(version)
    .bind(next_deadline(group).map(millis))
    .bind(serde_json::to_string(group)?)
    .execute(conn)
    .await?;
    Ok(())
}
