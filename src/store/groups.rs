//! Groups: one governance decision per transaction, and reads of current state.

use super::audit::{self, append_events};
use super::ballots;
use super::error::StoreError;
use super::triggers::{self, Trigger};
use super::{millis, Store};
use crate::governance::{
    decide, name_skeleton, names_similar, next_deadline, Acting, Ballots, Command, Event,
    EventKind, Group, GroupKind, GroupState,
};
use serde::{Deserialize, Serialize};
use sqlx::{Row, SqliteConnection};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

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
    /// The group after the events (shared with the store's cache of parsed states).
    pub group: Arc<Group>,
    pub events: Vec<Event>,
    /// The running vote's ballots the decision read, as they stood before it (for a ballot: the
    /// voter's previous one, if any).
    pub ballots_before: Ballots,
}

#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    pub kind: Option<GroupKind>,
    pub state: Option<GroupState>,
}

/// The words a group's name is indexed under for the similar-names warning (`group_name_words`):
/// the words of its [`name_skeleton`] of three characters or more, the words [`names_similar`]
/// compares (so "Regіstry" with a Cyrillic і is found under "registry"). Changing what it returns
/// needs [`NAME_WORDS_VERSION`] bumped: the index is then rebuilt at the next start-up.
pub fn name_words(name: &str) -> Vec<String> {
    name_skeleton(name)
        .split(' ')
        .filter(|w| w.chars().count() > 2)
        .map(str::to_owned)
        .collect()
}

/// The parsed states of the groups read or decided last, each with the version it is: the ballots
/// of a running vote come one after another on the same group, and each would otherwise read and
/// parse its whole state (its electorate can be thousands long). Entries are only ever used for
/// the version they were parsed at, so any other writer is seen; they are kept after a commit,
/// never from a transaction that may roll back.
#[derive(Debug, Default)]
pub(super) struct StateCache(
    std::sync::Mutex<std::collections::HashMap<GroupId, (i64, Arc<Group>)>>,
);

/// Groups whose parsed state is kept.
const CACHED_STATES: usize = 64;

impl StateCache {
    fn get(&self, id: GroupId, version: i64) -> Option<Arc<Group>> {
        let states = self.0.lock().unwrap_or_else(|e| e.into_inner());
        states
            .get(&id)
            .filter(|(v, _)| *v == version)
            .map(|(_, g)| g.clone())
    }

    fn remember(&self, id: GroupId, version: i64, group: Arc<Group>) {
        let mut states = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if states.len() >= CACHED_STATES && !states.contains_key(&id) {
            // Rarely full (a few votes run at a time): start again rather than track ages.
            states.clear();
        }
        states.insert(id, (version, group));
    }
}

/// The version of [`name_words`] the index was built with (`derived_indexes`).
pub const NAME_WORDS_VERSION: i64 = 2;

/// The definition of [`name_skeleton`] that wrote the `name_key` column (`derived_indexes`):
/// keys are rewritten at start-up when it is not this one, and only then, since that reads
/// every group. 1 was the case and punctuation fold before TR39's skeleton. Changing what
/// `name_skeleton` returns needs this bumped (and [`NAME_WORDS_VERSION`]).
pub const NAME_KEY_VERSION: i64 = 2;

/// At most this many similar names are reported (the closest first).
const SIMILAR_SHOWN: usize = 20;

/// A group whose name resembles another's, read from its columns (no state to parse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameMatch {
    pub id: GroupId,
    pub kind: GroupKind,
    pub name: String,
    pub state: GroupState,
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
        let _turn = self.writing().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(t) = trigger {
            if triggers::seen(&mut tx, t).await? {
                return Err(StoreError::Duplicate(t.describe().to_string()));
            }
        }
        let (id, current, version) = match target {
            Target::Group(id) => {
                let (version, group) = self.state_in(&mut tx, id).await?;
                if let Command::Amend { template } = command {
                    refuse_taken_name(&mut tx, template.kind(), &template.name, Some(id)).await?;
                }
                (id, Some(group), version)
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
        let mut known = ballots::Known::default();
        let ballots_before = match current.as_deref().and_then(Group::running_vote) {
            Some(vote) => {
                let read = command.ballots_read();
                ballots::read_for(&mut tx, id, vote, read, ctx.actor.id(), &mut known).await?
            }
            None => Ballots::NONE,
        };
        let events = decide(current.as_deref(), &ballots_before, command, ctx)?;
        // A ballot (or an effect dropped) leaves the state as it was: it is neither copied nor
        // written again, only its version moves.
        let unchanged = current.is_some() && !events.iter().any(|e| e.kind.changes_group());
        let group = match &current {
            Some(g) if unchanged => {
                debug_assert!(
                    events.iter().fold((**g).clone(), |mut c, e| {
                        c.apply(e);
                        c
                    }) == **g,
                    "an event said to leave the group as it was changed it"
                );
                g.clone()
            }
            _ => {
                let mut group = current.as_deref().cloned();
                for e in &events {
                    match group.as_mut() {
                        Some(g) => g.apply(e),
                        None => group = Group::from_proposal(e),
                    }
                }
                Arc::new(group.ok_or_else(|| {
                    StoreError::Corrupt("a new group's first event was not its proposal".into())
                })?)
            }
        };
        let trigger_key = trigger.map(Trigger::key);
        let ids = append_events(&mut tx, id, version, &events, trigger_key.as_deref()).await?;
        let new_version = version + events.len() as i64;
        let now_ms = millis(ctx.now);
        // Written before the projections, which refer to the group (a new one has no row yet).
        if unchanged {
            touch(&mut tx, id, new_version, now_ms).await?;
        } else {
            save(&mut tx, id, &group, new_version, now_ms).await?;
            if current.as_ref().map(|g| g.name.as_str()) != Some(group.name.as_str()) {
                index_name(&mut tx, id, &group.name).await?;
            }
        }
        // The vote each event's ballot belongs to: the running one, or one the events open.
        let mut vote_opened = current
            .as_ref()
            .and_then(|g| g.vote.as_ref())
            .map(|v| v.opened_at);
        for (event_id, e) in ids.iter().zip(&events) {
            if let EventKind::VoteOpened { .. } = e.kind {
                vote_opened = Some(e.at);
            }
            let trigger = trigger_key.as_deref();
            ballots::project(&mut tx, id, *event_id, e, trigger, vote_opened, &mut known).await?;
        }
        if let Some(t) = trigger {
            triggers::record(&mut tx, t, Some(id.0), now_ms).await?;
        }
        tx.commit().await?;
        self.states.remember(id, new_version, group.clone());
        self.changed.send_modify(|n| *n += 1);
        Ok(Executed {
            id,
            group,
            events,
            ballots_before,
        })
    }

    pub async fn group(&self, id: GroupId) -> Result<StoredGroup, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let (version, group) = self.state_in(&mut conn, id).await?;
        Ok(StoredGroup {
            id,
            version,
            group: (*group).clone(),
        })
    }

    /// `id`'s version and state: the state parsed last if the group is still at that version
    /// (one small read), otherwise read and parsed. In a decision's transaction the version read
    /// is the one the decision applies to, whoever wrote it.
    async fn state_in(
        &self,
        conn: &mut SqliteConnection,
        id: GroupId,
    ) -> Result<(i64, Arc<Group>), StoreError> {
        let version: Option<i64> = sqlx::query_scalar("SELECT version FROM groups WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
        let version = version.ok_or(StoreError::UnknownGroup(id))?;
        if let Some(group) = self.states.get(id, version) {
            return Ok((version, group));
        }
        let stored = load(conn, id).await?.ok_or(StoreError::UnknownGroup(id))?;
        let group = Arc::new(stored.group);
        self.states.remember(id, stored.version, group.clone());
        Ok((stored.version, group))
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
        if states.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, version, state_json FROM groups
             WHERE (? IS NULL OR kind = ?) AND state IN ({}) ORDER BY id",
            placeholders(states.len())
        );
        let kind = kind.map(GroupKind::code);
        let mut q = sqlx::query(&sql).bind(kind).bind(kind);
        for s in states {
            q = q.bind(s.code());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(row_to_group).collect()
    }

    /// Groups holding a name similar to `name` ([`names_similar`]: the same skeleton, or most of
    /// its words), for the overlap warning on a new proposal; the closest first, at most twenty.
    /// Indexed lookups of `name`'s skeleton (`groups.name_key`) and of its skeleton's words
    /// (`group_name_words`): it reads the groups that share a word, not every group, and
    /// [`names_similar`] has the last word on each.
    pub async fn similar_names(&self, name: &str) -> Result<Vec<NameMatch>, StoreError> {
        let key = name_skeleton(name);
        let words = name_words(name);
        let holding = placeholders(NAME_HOLDING_STATES.len());
        let mut found: Vec<(usize, NameMatch)> = Vec::new();
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let exact_sql = format!(
            "SELECT id, kind, name, state FROM groups
             WHERE name_key = ? AND state IN ({holding}) ORDER BY id"
        );
        let mut q = sqlx::query(&exact_sql).bind(&key);
        for s in NAME_HOLDING_STATES {
            q = q.bind(s.code());
        }
        for r in q.fetch_all(&self.pool).await? {
            found.push((usize::MAX, name_match(&r)?));
        }
        if !words.is_empty() {
            let mut distinct = words.clone();
            distinct.sort();
            distinct.dedup();
            // A necessary condition on the distinct words shared, so the database returns only
            // groups that can qualify; the exact count (with repeats) is checked below.
            let most = distinct
                .iter()
                .map(|d| words.iter().filter(|w| *w == d).count())
                .max()
                .unwrap_or(1);
            let sql = format!(
                "SELECT g.id, g.kind, g.name, g.name_key, g.state FROM groups g JOIN (
                     SELECT group_id, COUNT(*) AS shared FROM group_name_words
                     WHERE word IN ({}) GROUP BY group_id HAVING COUNT(*) * ? > ?
                 ) w ON w.group_id = g.id
                 WHERE g.state IN ({holding}) ORDER BY w.shared DESC, g.id LIMIT ?",
                placeholders(distinct.len())
            );
            let mut q = sqlx::query(&sql);
            for w in &distinct {
                q = q.bind(w);
            }
            q = q.bind(2 * most as i64).bind(words.len() as i64);
            for s in NAME_HOLDING_STATES {
                q = q.bind(s.code());
            }
            q = q.bind((SIMILAR_SHOWN * 10) as i64);
            for r in q.fetch_all(&self.pool).await? {
                let other: String = r.get("name_key");
                let shared = words
                    .iter()
                    .filter(|w| other.split(' ').any(|o| o == w.as_str()))
                    .count();
                let m = name_match(&r)?;
                if names_similar(name, &m.name) && !found.iter().any(|(_, f)| f.id == m.id) {
                    found.push((shared, m));
                }
            }
        }
        found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
        found.truncate(SIMILAR_SHOWN);
        Ok(found.into_iter().map(|(_, m)| m).collect())
    }

    /// Whether a group of `kind` holds the name `name` (folded), other than `except`: one indexed
    /// lookup, cheap enough to answer before an interaction is acknowledged.
    pub async fn name_taken(
        &self,
        kind: GroupKind,
        name: &str,
        except: Option<GroupId>,
    ) -> Result<Option<NameMatch>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        taken_name(&mut conn, kind, name, except).await
    }

    /// Rebuilds `group_name_words` from the groups' names when it was built by another version of
    /// [`name_words`] (or never): at start-up, in one transaction.
    pub(super) async fn index_names_if_stale(&self) -> Result<bool, StoreError> {
        let _turn = self.writing().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let built: Option<i64> =
            sqlx::query_scalar("SELECT version FROM derived_indexes WHERE name = ?")
                .bind(NAME_WORDS_INDEX)
                .fetch_optional(&mut *tx)
                .await?;
        if built == Some(NAME_WORDS_VERSION) {
            return Ok(false);
        }
        sqlx::query("DELETE FROM group_name_words")
            .execute(&mut *tx)
            .await?;
        let names: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM groups ORDER BY id")
            .fetch_all(&mut *tx)
            .await?;
        for (id, name) in names {
            insert_words(&mut tx, GroupId(id), &name).await?;
        }
        record_derived(&mut tx, NAME_WORDS_INDEX, NAME_WORDS_VERSION).await?;
        tx.commit().await?;
        Ok(true)
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

    /// Writes each group's `name_key` again where [`name_skeleton`] now gives another key, when
    /// the keys were written by another definition of it than [`NAME_KEY_VERSION`] (or before
    /// it was recorded); returns how many changed. Run by [`Store::migrate`], so that the
    /// duplicate check never compares a new skeleton with an old key.
    pub(super) async fn rekey_names(&self) -> Result<usize, StoreError> {
        let written: Option<i64> =
            sqlx::query_scalar("SELECT version FROM derived_indexes WHERE name = ?")
                .bind(NAME_KEY_COLUMN)
                .fetch_optional(&self.pool)
                .await?;
        if written == Some(NAME_KEY_VERSION) {
            return Ok(0);
        }
        let _turn = self.writing().await;
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
        record_derived(&mut tx, NAME_KEY_COLUMN, NAME_KEY_VERSION).await?;
        tx.commit().await?;
        Ok(changed)
    }
}

/// The name of the words index in `derived_indexes`.
const NAME_WORDS_INDEX: &str = "group_name_words";
/// The name of the name keys in `derived_indexes`.
const NAME_KEY_COLUMN: &str = "groups.name_key";

/// Records in `derived_indexes` that `name` was derived by `version` of its code.
async fn record_derived(
    conn: &mut SqliteConnection,
    name: &str,
    version: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO derived_indexes (name, version) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET version = excluded.version",
    )
    .bind(name)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(())
}

/// `?, ?, ?` for `n` parameters.
pub(super) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn name_match(r: &sqlx::sqlite::SqliteRow) -> Result<NameMatch, StoreError> {
    let kind: String = r.get("kind");
    let state: String = r.get("state");
    Ok(NameMatch {
        id: GroupId(r.get("id")),
        kind: kind.parse().map_err(StoreError::Corrupt)?,
        name: r.get("name"),
        state: state.parse().map_err(StoreError::Corrupt)?,
    })
}

async fn insert_words(
    conn: &mut SqliteConnection,
    id: GroupId,
    name: &str,
) -> Result<(), StoreError> {
    let mut words = name_words(name);
    words.sort();
    words.dedup();
    for w in words {
        sqlx::query("INSERT INTO group_name_words (word, group_id) VALUES (?, ?)")
            .bind(w)
            .bind(id.0)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Indexes a group's name anew (a proposal, an amended name).
async fn index_name(
    conn: &mut SqliteConnection,
    id: GroupId,
    name: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM group_name_words WHERE group_id = ?")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    insert_words(conn, id, name).await
}

async fn taken_name(
    conn: &mut SqliteConnection,
    kind: GroupKind,
    name: &str,
    except: Option<GroupId>,
) -> Result<Option<NameMatch>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT id, kind, name, state FROM groups WHERE kind = ? AND name_key = ?
         AND (? IS NULL OR id <> ?) AND state IN ({}) ORDER BY id LIMIT 1",
        placeholders(NAME_HOLDING_STATES.len())
    ))
    .bind(kind.code())
    .bind(name_skeleton(name))
    .bind(except.map(|g| g.0))
    .bind(except.map(|g| g.0))
    .bind(NAME_HOLDING_STATES[0].code())
    .bind(NAME_HOLDING_STATES[1].code())
    .bind(NAME_HOLDING_STATES[2].code())
    .bind(NAME_HOLDING_STATES[3].code())
    .bind(NAME_HOLDING_STATES[4].code())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(name_match).transpose()
}

async fn refuse_taken_name(
    conn: &mut SqliteConnection,
    kind: GroupKind,
    name: &str,
    except: Option<GroupId>,
) -> Result<(), StoreError> {
    match taken_name(conn, kind, name, except).await? {
        None => Ok(()),
        Some(taken) => Err(StoreError::DuplicateName {
            kind,
            name: name.to_string(),
            existing: taken.id,
            state: taken.state.label().to_string(),
        }),
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
                             version, next_due_at, state_json, channel_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO UPDATE SET
             name = excluded.name, name_key = excluded.name_key,
             state = excluded.state, updated_at = excluded.updated_at, version = excluded.version,
             next_due_at = excluded.next_due_at, state_json = excluded.state_json,
             channel_id = excluded.channel_id",
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
    .bind(group.channel.map(|c| c as i64))
    .execute(conn)
    .await?;
    Ok(())
}

/// A decision that left the state as it was (a ballot): only the version and time move, and the
/// state is not written again.
async fn touch(
    conn: &mut SqliteConnection,
    id: GroupId,
    version: i64,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE groups SET version = ?, updated_at = ? WHERE id = ?")
        .bind(version)
        .bind(now_ms)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}
