//! Verifying the audit log: the hash chain recomputed event by event, the order the database
//! enforces on appends checked again, and every group replayed from its events and compared with
//! what the database stores about it. `govbot audit verify` and `govbot run`'s start-up check
//! print the first divergence found (`docs/audit.md` says what each one means).

use super::ballots::{self, BallotRecord, VoteRecord};
use super::chain::{self, ChainedEvent};
use super::error::StoreError;
use super::groups::GroupId;
use super::{millis, Store};
use crate::governance::name_skeleton;
use crate::governance::{next_deadline, Ballot, Choice, Counts, Event, EventKind, Group, MemberId};
use serde::Serialize;
use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// Events read from the log per query: a page of the chain, or about a chunk of groups (whose
/// last group comes whole).
const PAGE: i64 = 5_000;
/// At most this many stored groups a chunk, for groups of few events.
const GROUPS_PER_CHUNK: i64 = 1_000;

/// The head of the log: how many events it holds and the hash of the last one, which commits to
/// every event before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    pub events: i64,
    /// The last event's id (0 for an empty log).
    pub last_event: i64,
    /// The last event's hash; the genesis while the log is empty.
    pub hash: String,
}

/// What [`Store::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The head as stored (the last event's stored hash, whether or not it verified).
    pub head: AuditHead,
    /// Groups replayed and compared.
    pub groups: usize,
    /// The first divergence, if any.
    pub problem: Option<Divergence>,
}

impl Verification {
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

impl fmt::Display for Verification {
    /// "N events, head HASH, all groups match", or the first divergence.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            None => write!(
                f,
                "{} event{}, head {}, all groups match ({} group{})",
                self.head.events,
                plural(self.head.events),
                self.head.hash,
                self.groups,
                plural(self.groups as i64)
            ),
            Some(p) => write!(f, "the audit log does not verify: {p}"),
        }
    }
}

fn plural(n: i64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The first place where the log, or what is stored beside it, is not what it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Divergence {
    /// An event without its hashes: written before the chain and not sealed yet.
    Unsealed { event: i64 },
    /// An event out of the order the database enforces on appends: a missing id, a wrong seq, a
    /// time earlier than its group's previous event.
    OutOfOrder { event: i64, what: String },
    /// The event's `prev_hash` is not the previous event's hash (or the genesis): an event was
    /// removed or inserted before it.
    BrokenLink {
        event: i64,
        stored: String,
        expected: String,
    },
    /// The event's content does not hash to its stored hash: it was changed after it was written.
    HashMismatch {
        event: i64,
        stored: String,
        computed: String,
    },
    /// The event cannot be read, or its columns disagree with its `event_json`.
    Unreadable { event: i64, what: String },
    /// The group's history cannot be replayed (its first event is not a proposal).
    Replay {
        event: i64,
        group: GroupId,
        what: String,
    },
    /// The log ends before the last id it ever gave: events were removed from its end.
    Truncated { last: i64, counter: i64 },
    /// What is stored about a group is not what its events replay to.
    GroupDiffers { group: GroupId, what: String },
    /// A head seen earlier is not a hash of this chain: the log was rewritten since.
    HeadNotFound { head: String },
}

impl Divergence {
    /// The event at which the log diverges, when it is one event.
    pub fn event(&self) -> Option<i64> {
        match self {
            Divergence::Unsealed { event }
            | Divergence::OutOfOrder { event, .. }
            | Divergence::BrokenLink { event, .. }
            | Divergence::HashMismatch { event, .. }
            | Divergence::Unreadable { event, .. }
            | Divergence::Replay { event, .. } => Some(*event),
            Divergence::Truncated { last, .. } => Some(*last),
            Divergence::GroupDiffers { .. } | Divergence::HeadNotFound { .. } => None,
        }
    }
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Divergence::Unsealed { event } => write!(
                f,
                "event {event}: not sealed into the hash chain yet (run `govbot migrate`)"
            ),
            Divergence::OutOfOrder { event, what } => write!(f, "event {event}: {what}"),
            Divergence::BrokenLink {
                event,
                stored,
                expected,
            } => write!(
                f,
                "event {event}: broken link: its prev_hash is {stored}, but the event before it \
                 hashes to {expected} (an event was removed or inserted here)"
            ),
            Divergence::HashMismatch {
                event,
                stored,
                computed,
            } => write!(
                f,
                "event {event}: hash mismatch: stored {stored}, its content hashes to \
                 {computed} (the event was changed after it was written)"
            ),
            Divergence::Unreadable { event, what } => write!(f, "event {event}: {what}"),
            Divergence::Replay { event, group, what } => {
                write!(
                    f,
                    "event {event}: group #{group} cannot be replayed: {what}"
                )
            }
            Divergence::Truncated { last, counter } => write!(
                f,
                "event {last} is the last, but the log gave ids up to {counter}: events were \
                 removed from its end"
            ),
            Divergence::GroupDiffers { group, what } => write!(
                f,
                "the state of group #{group} differs from the replay of its events: {what}"
            ),
            Divergence::HeadNotFound { head } => write!(
                f,
                "the earlier head {head} is not in the chain: the log was rewritten since it was \
                 seen"
            ),
        }
    }
}

/// A group as its events so far replay it.
struct Replayed {
    group: Group,
    seq: i64,
    at: i64,
    /// Its votes and their ballots as its events so far give them, oldest first, each with its
    /// voters' standing choices (a voter's last ballot, none if they withdrew).
    votes: Vec<(VoteRecord, BTreeMap<MemberId, Option<Choice>>)>,
}

impl Replayed {
    /// What event `id` adds to the votes and ballots, as `ballots::project` records it.
    fn project(
        &mut self,
        id: i64,
        event: &Event,
        trigger: Option<String>,
    ) -> Result<(), Divergence> {
        match &event.kind {
            EventKind::VoteOpened { .. } => self.votes.push((
                VoteRecord {
                    id,
                    opened_at: to_the_milli(event.at),
                    counts: Counts::default(),
                    ballots: Vec::new(),
                },
                BTreeMap::new(),
            )),
            EventKind::BallotCast { voter, choice } => {
                let Some((record, standing)) = self.votes.last_mut() else {
                    return Err(Divergence::Replay {
                        event: id,
                        group: GroupId(0),
                        what: "a ballot before any vote".into(),
                    });
                };
                let before = standing.insert(*voter, *choice).flatten();
                record.counts = record.counts.moved(before, *choice);
                record.ballots.push(BallotRecord {
                    id,
                    ballot: Ballot {
                        voter: *voter,
                        choice: *choice,
                        at: to_the_milli(event.at),
                    },
                    trigger,
                });
            }
            _ => {}
        }
        Ok(())
    }
}

impl Store {
    /// The head of the log, as stored (not verified).
    pub async fn audit_head(&self) -> Result<AuditHead, StoreError> {
        let mut conn = self.pool.acquire().await?;
        head(&mut conn).await
    }

    /// Verifies the whole log and every group against it, in one read snapshot; `earlier_heads`
    /// are hashes seen before (a daily post), each of which must still be an event's hash.
    /// Reports the first divergence; an `Err` only when the database cannot be read.
    ///
    /// Two passes, so that what it holds is a page of events or a chunk of groups whatever the
    /// size of the log (it runs at every start): the chain's links in id order, then the groups
    /// a chunk of ids at a time, each event's hash recomputed and the event replayed. Their
    /// findings are ranked as one pass over the log in id order would meet them: the lowest
    /// event that either pass refuses, then a truncated log, then the lowest group whose stored
    /// state is not its replay, then an earlier head not found.
    pub async fn verify(&self, earlier_heads: &[String]) -> Result<Verification, StoreError> {
        let mut tx = self.pool.begin().await?;
        let head = head(&mut tx).await?;
        let (genesis, sealed_through) = chain::genesis(&mut tx).await?;
        let chain = check_chain(&mut tx, genesis, sealed_through, earlier_heads).await?;
        let truncated = match chain.problem {
            Some(_) => None,
            None => truncation(&mut tx, chain.last_id).await?,
        };
        let replays = Replays::run(
            &mut tx,
            sealed_through,
            chain.problem.as_ref().and_then(Divergence::event),
            chain.problem.is_none() && truncated.is_none(),
        )
        .await?;
        let failed = |groups, problem| Verification {
            head: head.clone(),
            groups,
            problem: Some(problem),
        };
        // The replays looked only at events before the chain's first problem.
        if let Some(problem) = replays.refused.or(chain.problem) {
            let groups = groups_before(&mut tx, problem.event().unwrap_or(i64::MAX)).await?;
            return Ok(failed(groups, problem));
        }
        if let Some(problem) = truncated {
            return Ok(failed(replays.groups, problem));
        }
        if let Some(error) = replays.unreadable {
            return Err(error);
        }
        let unseen = chain.unseen.map(|head| Divergence::HeadNotFound { head });
        if let Some(problem) = replays.differs.or(unseen) {
            return Ok(failed(replays.groups, problem));
        }
        Ok(Verification {
            head,
            groups: replays.groups,
            problem: None,
        })
    }
}

async fn head(conn: &mut SqliteConnection) -> Result<AuditHead, StoreError> {
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(&mut *conn)
        .await?;
    let last = sqlx::query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match last {
        Some(row) => AuditHead {
            events,
            last_event: row.get("id"),
            hash: row
                .get::<Option<String>, _>("hash")
                .unwrap_or_else(|| "(not sealed yet)".to_string()),
        },
        None => AuditHead {
            events,
            last_event: 0,
            hash: chain::genesis(conn).await?.0,
        },
    })
}

/// What the chain's pass found.
struct Chain {
    /// The id of the last event it checked.
    last_id: i64,
    /// The first event that breaks the chain or the order of ids.
    problem: Option<Divergence>,
    /// An earlier head that is no event's hash.
    unseen: Option<String>,
}

/// The chain in id order, a page at a time: each event's id after the one before and its link to
/// the hash before it, and each earlier head looked for among the hashes. It reads the ids and
/// hashes only; the groups' pass reads each event once, recomputes its hash from its content and
/// replays it.
async fn check_chain(
    conn: &mut SqliteConnection,
    genesis: String,
    sealed_through: i64,
    earlier_heads: &[String],
) -> Result<Chain, StoreError> {
    let mut wanted: Vec<&str> = earlier_heads
        .iter()
        .map(String::as_str)
        .filter(|h| *h != genesis)
        .collect();
    let mut last_id = 0i64;
    let mut prev = genesis;
    loop {
        let rows = sqlx::query(
            "SELECT id, prev_hash, hash FROM audit_log WHERE id > ? ORDER BY id LIMIT ?",
        )
        .bind(last_id)
        .bind(PAGE)
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            if let Err(problem) = link(row, last_id, sealed_through, &mut prev) {
                return Ok(Chain {
                    last_id,
                    problem: Some(problem),
                    unseen: None,
                });
            }
            last_id = row.get("id");
            wanted.retain(|h| *h != prev);
        }
    }
    Ok(Chain {
        last_id,
        problem: None,
        unseen: wanted.first().map(|h| (*h).to_string()),
    })
}

/// One event in the chain: its place in the order of ids, its link.
fn link(
    row: &SqliteRow,
    last_id: i64,
    sealed_through: i64,
    prev: &mut String,
) -> Result<(), Divergence> {
    let id: i64 = row.get("id");
    if id > sealed_through && id != last_id + 1 {
        return Err(Divergence::OutOfOrder {
            event: id,
            what: format!("it follows event {last_id}: the ids between are missing"),
        });
    }
    let (Some(stored_prev), Some(stored_hash)) = (
        row.get::<Option<&str>, _>("prev_hash"),
        row.get::<Option<&str>, _>("hash"),
    ) else {
        return Err(Divergence::Unsealed { event: id });
    };
    if stored_prev != prev {
        return Err(Divergence::BrokenLink {
            event: id,
            stored: stored_prev.to_string(),
            expected: prev.clone(),
        });
    }
    prev.replace_range(.., stored_hash);
    Ok(())
}

/// The log's end against the last id it ever gave (`sqlite_sequence`).
async fn truncation(
    conn: &mut SqliteConnection,
    last_id: i64,
) -> Result<Option<Divergence>, StoreError> {
    let counter: Option<i64> =
        sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")
            .fetch_optional(&mut *conn)
            .await?;
    Ok(counter
        .filter(|c| *c > last_id)
        .map(|counter| Divergence::Truncated {
            last: last_id,
            counter,
        }))
}

/// The groups replayed before event `event` stopped verification: as every event before it is
/// in order, those whose seq 1 is earlier.
async fn groups_before(conn: &mut SqliteConnection, event: i64) -> Result<usize, StoreError> {
    let groups: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE id < ? AND seq = 1")
        .bind(event)
        .fetch_one(&mut *conn)
        .await?;
    Ok(groups.try_into().unwrap_or(usize::MAX))
}

// The groups' pass reads each chunk by these, each a range of an index on the group id (a test
// holds them to it): none reads a whole table, so a chunk costs the same however many there
// are. Each takes the chunk's first group id, then its last (or an offset).

/// The group id of the `?2`th event from group `?1` on.
const EVENTS_FROM: &str =
    "SELECT group_id FROM audit_log WHERE group_id >= ?1 ORDER BY group_id LIMIT 1 OFFSET ?2";
/// The id of the `?2`th stored group from `?1` on.
const GROUPS_FROM: &str = "SELECT id FROM groups WHERE id >= ?1 ORDER BY id LIMIT 1 OFFSET ?2";
/// A chunk's events by group, each group's in the order of the `UNIQUE (group_id, seq)` index
/// (ordered by id instead, SQLite would sort the chunk's events in a temporary file).
const CHUNK_EVENTS: &str = "
    SELECT id, group_id, seq, at, actor, kind, reason, trigger_key, event_json, prev_hash, hash
    FROM audit_log WHERE group_id BETWEEN ?1 AND ?2 ORDER BY group_id, seq";
const CHUNK_GROUPS_ROWS: &str = "
    SELECT id, kind, name, name_key, state, proposer, proposed_at, version, next_due_at,
           channel_id, state_json
    FROM groups WHERE id BETWEEN ?1 AND ?2";
const CHUNK_VOTES: &str = "
    SELECT id, group_id, opened_at, yes_count, no_count, abstain_count FROM votes
    WHERE group_id BETWEEN ?1 AND ?2 ORDER BY id";
const CHUNK_BALLOTS: &str = "
    SELECT b.id, b.vote_id, b.voter, b.choice, b.at, b.trigger_key
    FROM votes v JOIN ballots b ON b.vote_id = v.id
    WHERE v.group_id BETWEEN ?1 AND ?2 ORDER BY b.id";

/// What the groups' pass found.
#[derive(Default)]
struct Replays {
    /// Groups replayed.
    groups: usize,
    /// The first event (by id) the groups' pass refuses: its content not its hash, unreadable as
    /// an event, out of its group's order, or not replayable.
    refused: Option<Divergence>,
    /// The first stored projection that cannot be read at all.
    unreadable: Option<StoreError>,
    /// The first group (by id) whose stored projections are not its replay.
    differs: Option<Divergence>,
}

impl Replays {
    /// Every group, a chunk of ids at a time: the chunk's events replayed, its stored rows read
    /// and compared, all of it dropped before the next chunk. Only an event before `below` (the
    /// chain's first problem) can be the first divergence, so replays stop there; the stored
    /// projections are read only when nothing found so far comes before them (`compare`).
    async fn run(
        conn: &mut SqliteConnection,
        sealed_through: i64,
        below: Option<i64>,
        compare: bool,
    ) -> Result<Replays, StoreError> {
        let mut found = Replays::default();
        let mut below = below.unwrap_or(i64::MAX);
        let mut first = i64::MIN;
        loop {
            let last = chunk_end(conn, first).await?;
            let rows = sqlx::query(CHUNK_EVENTS)
                .bind(first)
                .bind(last)
                .fetch_all(&mut *conn)
                .await?;
            let mut groups = HashMap::new();
            let group_of = |row: &SqliteRow| row.get::<i64, _>("group_id");
            for history in rows.chunk_by(|a, b| group_of(a) == group_of(b)) {
                // The replay checks a group's events in id order, as they were appended. That is
                // their seq order unless the log was tampered with, and the sort only confirms it.
                let mut history: Vec<&SqliteRow> = history.iter().collect();
                history.sort_by_key(|row| row.get::<i64, _>("id"));
                for row in history {
                    let id: i64 = row.get("id");
                    if id >= below {
                        break;
                    }
                    if let Err(problem) = replay(row, sealed_through, &mut groups) {
                        below = id;
                        found.refused = Some(problem);
                    }
                }
            }
            found.groups += groups.len();
            if compare && found.refused.is_none() && found.unreadable.is_none() {
                // Read on after a group differs: a projection that cannot be read comes first.
                match Projections::load(conn, first, last).await {
                    Ok(stored) if found.differs.is_none() => {
                        found.differs = stored.compare_all(&groups);
                    }
                    Ok(_) => {}
                    Err(e @ StoreError::Corrupt(_)) => found.unreadable = Some(e),
                    Err(e) => return Err(e),
                }
            }
            if last == i64::MAX {
                break;
            }
            first = last + 1;
        }
        if compare && found.refused.is_none() && found.unreadable.is_none() {
            found.unreadable = orphan_ballot(conn).await?;
        }
        Ok(found)
    }
}

/// The last group id of the chunk that starts at `first`: that of the `PAGE`th event from
/// there (whose group's events all come in the chunk) or of the `GROUPS_PER_CHUNK`th stored group,
/// whichever is lower; `i64::MAX` when neither remains.
async fn chunk_end(conn: &mut SqliteConnection, first: i64) -> Result<i64, StoreError> {
    let by_events: Option<i64> = sqlx::query_scalar(EVENTS_FROM)
        .bind(first)
        .bind(PAGE - 1)
        .fetch_optional(&mut *conn)
        .await?;
    let by_groups: Option<i64> = sqlx::query_scalar(GROUPS_FROM)
        .bind(first)
        .bind(GROUPS_PER_CHUNK - 1)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(by_events
        .into_iter()
        .chain(by_groups)
        .min()
        .unwrap_or(i64::MAX))
}

/// A ballot row whose vote has no row, which the chunks, reading ballots through their votes,
/// do not meet.
async fn orphan_ballot(conn: &mut SqliteConnection) -> Result<Option<StoreError>, StoreError> {
    let orphan: Option<(i64, i64)> = sqlx::query_as(
        "SELECT b.id, b.vote_id FROM ballots b
         WHERE NOT EXISTS (SELECT 1 FROM votes v WHERE v.id = b.vote_id) LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(orphan.map(|(id, vote)| {
        StoreError::Corrupt(format!(
            "ballot row {id} belongs to vote {vote}, which has no row"
        ))
    }))
}

/// One event in its group's replay: its hash recomputed from its content (linked to the hash
/// before it, which the chain's pass checked), its columns against its `event_json`, its place
/// in its group's order, what it does to the group.
fn replay(
    row: &SqliteRow,
    sealed_through: i64,
    groups: &mut HashMap<i64, Replayed>,
) -> Result<(), Divergence> {
    let id: i64 = row.get("id");
    let group_id: i64 = row.get("group_id");
    let seq: i64 = row.get("seq");
    let at: i64 = row.get("at");
    let actor: Option<i64> = row.get("actor");
    let kind: &str = row.get("kind");
    let reason: Option<&str> = row.get("reason");
    let unreadable = |what: String| Divergence::Unreadable { event: id, what };
    let value: Value = serde_json::from_str(row.get("event_json"))
        .map_err(|e| unreadable(format!("its event_json is not JSON: {e}")))?;
    let (Some(prev), Some(stored_hash)) = (
        row.get::<Option<&str>, _>("prev_hash"),
        row.get::<Option<String>, _>("hash"),
    ) else {
        return Err(Divergence::Unsealed { event: id });
    };
    let computed = ChainedEvent {
        id,
        group: group_id,
        seq,
        at,
        actor,
        kind,
        reason,
        trigger: row.get("trigger_key"),
        event: &value,
        prev,
    }
    .hash();
    if computed != stored_hash {
        return Err(Divergence::HashMismatch {
            event: id,
            stored: stored_hash,
            computed,
        });
    }
    let event: Event = serde_json::from_value(value)
        .map_err(|e| unreadable(format!("its event_json is not an event: {e}")))?;
    let columns = [
        ("at", at.to_string(), millis(event.at).to_string()),
        ("kind", kind.to_string(), event.kind.name().to_string()),
        (
            "actor",
            format!("{actor:?}"),
            format!("{:?}", event.actor.id().map(|m| m.0 as i64)),
        ),
        (
            "reason",
            format!("{reason:?}"),
            format!("{:?}", event.reason.as_deref()),
        ),
    ];
    if let Some((column, stored, json)) = columns.iter().find(|(_, a, b)| a != b) {
        return Err(unreadable(format!(
            "its {column} column ({stored}) disagrees with its event_json ({json})"
        )));
    }
    match groups.get_mut(&group_id) {
        None => {
            if seq != 1 {
                return Err(Divergence::OutOfOrder {
                    event: id,
                    what: format!("it is seq {seq} of group #{group_id}, whose first event it is"),
                });
            }
            let group = Group::from_proposal(&event).ok_or_else(|| Divergence::Replay {
                event: id,
                group: GroupId(group_id),
                what: format!("its first event is {}, not a proposal", event.kind.name()),
            })?;
            groups.insert(
                group_id,
                Replayed {
                    group,
                    seq,
                    at,
                    votes: Vec::new(),
                },
            );
        }
        Some(r) => {
            if seq != r.seq + 1 {
                return Err(Divergence::OutOfOrder {
                    event: id,
                    what: format!(
                        "it is seq {seq} of group #{group_id}, whose previous event is seq {}",
                        r.seq
                    ),
                });
            }
            if id > sealed_through && at < r.at {
                return Err(Divergence::OutOfOrder {
                    event: id,
                    what: format!(
                        "it is dated {}, earlier than group #{group_id}'s previous event ({})",
                        show_ms(at),
                        show_ms(r.at)
                    ),
                });
            }
            r.group.apply(&event);
            r.seq = seq;
            r.at = at;
            r.project(id, &event, row.get("trigger_key"))
                .map_err(|e| match e {
                    Divergence::Replay { event, what, .. } => Divergence::Replay {
                        event,
                        group: GroupId(group_id),
                        what,
                    },
                    other => other,
                })?;
        }
    }
    Ok(())
}

/// A time as the database keeps it: to the millisecond.
fn to_the_milli(t: crate::governance::Timestamp) -> crate::governance::Timestamp {
    chrono::DateTime::from_timestamp_millis(millis(t)).unwrap_or(t)
}

fn show_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string(),
    )
}

/// A `groups` row.
struct GroupRow {
    kind: String,
    name: String,
    name_key: String,
    state: String,
    proposer: i64,
    proposed_at: i64,
    version: i64,
    next_due_at: Option<i64>,
    channel_id: Option<i64>,
    state_json: String,
}

/// Everything the database stores about a chunk of groups besides their events. Each is a
/// projection of the log and is compared with the replay in [`Projections::compare`]; a new
/// projection (a `ballots` table, say) is loaded in [`Projections::load`] and compared there
/// too, and verification covers it.
struct Projections {
    groups: BTreeMap<i64, GroupRow>,
    /// The `votes` rows with their `ballots` rows, by group, oldest first.
    votes: BTreeMap<i64, Vec<VoteRecord>>,
}

impl Projections {
    /// The rows of the groups `first..=last`, each read through an index on the group.
    async fn load(
        conn: &mut SqliteConnection,
        first: i64,
        last: i64,
    ) -> Result<Projections, StoreError> {
        let rows = sqlx::query(CHUNK_GROUPS_ROWS)
            .bind(first)
            .bind(last)
            .fetch_all(&mut *conn)
            .await?;
        let groups = rows
            .iter()
            .map(|r| {
                (
                    r.get("id"),
                    GroupRow {
                        kind: r.get("kind"),
                        name: r.get("name"),
                        name_key: r.get("name_key"),
                        state: r.get("state"),
                        proposer: r.get("proposer"),
                        proposed_at: r.get("proposed_at"),
                        version: r.get("version"),
                        next_due_at: r.get("next_due_at"),
                        channel_id: r.get("channel_id"),
                        state_json: r.get("state_json"),
                    },
                )
            })
            .collect();
        let mut votes: BTreeMap<i64, Vec<VoteRecord>> = BTreeMap::new();
        let mut group_of: HashMap<i64, (i64, usize)> = HashMap::new();
        let rows = sqlx::query(CHUNK_VOTES)
            .bind(first)
            .bind(last)
            .fetch_all(&mut *conn)
            .await?;
        for r in &rows {
            let (id, group): (i64, i64) = (r.get("id"), r.get("group_id"));
            let list = votes.entry(group).or_default();
            group_of.insert(id, (group, list.len()));
            let count = |c: &str| r.get::<i64, _>(c).try_into().unwrap_or(u32::MAX);
            list.push(VoteRecord {
                id,
                opened_at: super::from_millis(r.get("opened_at"))?,
                counts: Counts {
                    yes: count("yes_count"),
                    no: count("no_count"),
                    abstain: count("abstain_count"),
                },
                ballots: Vec::new(),
            });
        }
        let rows = sqlx::query(CHUNK_BALLOTS)
            .bind(first)
            .bind(last)
            .fetch_all(&mut *conn)
            .await?;
        for r in &rows {
            let (id, vote): (i64, i64) = (r.get("id"), r.get("vote_id"));
            let Some((group, at)) = group_of.get(&vote) else {
                return Err(StoreError::Corrupt(format!(
                    "ballot row {id} belongs to vote {vote}, which has no row"
                )));
            };
            let list = votes.get_mut(group).expect("filled above");
            list[*at].ballots.push(BallotRecord {
                id,
                ballot: ballots::ballot(r)?,
                trigger: r.get("trigger_key"),
            });
        }
        Ok(Projections { groups, votes })
    }

    /// Every group, stored or replayed, in id order: the first that differs.
    fn compare_all(&self, replayed: &HashMap<i64, Replayed>) -> Option<Divergence> {
        let mut ids: Vec<i64> = self.groups.keys().chain(replayed.keys()).copied().collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter().find_map(|id| {
            self.compare(id, replayed.get(&id))
                .map(|what| Divergence::GroupDiffers {
                    group: GroupId(id),
                    what,
                })
        })
    }

    /// How what is stored about group `id` differs from what its events replay to, in words.
    fn compare(&self, id: i64, replayed: Option<&Replayed>) -> Option<String> {
        let (row, r) = match (self.groups.get(&id), replayed) {
            (Some(row), Some(r)) => (row, r),
            (Some(_), None) => return Some("it is stored, but has no event in the log".into()),
            (None, Some(_)) => return Some("it has events in the log, but no stored state".into()),
            (None, None) => return None,
        };
        let g = &r.group;
        let columns = [
            ("version", row.version.to_string(), r.seq.to_string()),
            ("kind", row.kind.clone(), g.kind.code().to_string()),
            ("name", row.name.clone(), g.name.clone()),
            ("name_key", row.name_key.clone(), name_skeleton(&g.name)),
            ("state", row.state.clone(), g.state.code().to_string()),
            (
                "proposer",
                row.proposer.to_string(),
                (g.proposer.0 as i64).to_string(),
            ),
            (
                "proposed_at",
                row.proposed_at.to_string(),
                millis(g.proposed_at).to_string(),
            ),
            (
                "next_due_at",
                format!("{:?}", row.next_due_at),
                format!("{:?}", next_deadline(g).map(millis)),
            ),
            (
                "channel_id",
                format!("{:?}", row.channel_id),
                format!("{:?}", g.channel.map(|c| c as i64)),
            ),
        ];
        if let Some((column, stored, replay)) = columns.iter().find(|(_, a, b)| a != b) {
            return Some(format!(
                "its {column} column is {stored}, the log gives {replay}"
            ));
        }
        let none = Vec::new();
        let stored_votes = self.votes.get(&id).unwrap_or(&none);
        if let Some(what) = compare_votes(stored_votes, &r.votes) {
            return Some(what);
        }
        let stored: Group = match serde_json::from_str(&row.state_json) {
            Ok(s) => s,
            Err(e) => return Some(format!("its state_json cannot be read: {e}")),
        };
        if stored == *g {
            return None;
        }
        let (a, b) = (serde_json::to_value(&stored), serde_json::to_value(g));
        let Some((path, a, b)) = a
            .ok()
            .zip(b.ok())
            .and_then(|(a, b)| first_difference(&a, &b, "state_json".into()))
        else {
            return Some("its state_json differs from the replay".into());
        };
        Some(format!("{path} is {a}, the log gives {b}"))
    }
}

/// How the `votes` and `ballots` rows of a group differ from what its events give, in words.
fn compare_votes(
    stored: &[VoteRecord],
    replayed: &[(VoteRecord, BTreeMap<MemberId, Option<Choice>>)],
) -> Option<String> {
    for (i, (r, _)) in replayed.iter().enumerate() {
        let Some(s) = stored.get(i) else {
            return Some(format!(
                "the vote opened by event {} has no row in votes",
                r.id
            ));
        };
        if s.id != r.id || s.opened_at != r.opened_at {
            return Some(format!(
                "its vote row {} (opened {}) is not the vote event {} opened ({})",
                s.id, s.opened_at, r.id, r.opened_at
            ));
        }
        if s.counts != r.counts {
            return Some(format!(
                "vote {}'s counts are {:?}, its ballots in the log give {:?}",
                s.id, s.counts, r.counts
            ));
        }
        let rows: BTreeMap<i64, &BallotRecord> = s.ballots.iter().map(|b| (b.id, b)).collect();
        for rb in &r.ballots {
            match rows.get(&rb.id) {
                None => {
                    return Some(format!(
                        "the ballot of event {} has no row in ballots (vote {})",
                        rb.id, s.id
                    ))
                }
                Some(sb) if *sb != rb => {
                    return Some(format!(
                        "ballot row {} is {:?}, the log gives {:?}",
                        sb.id, sb, rb
                    ))
                }
                Some(_) => {}
            }
        }
        let events: std::collections::BTreeSet<i64> = r.ballots.iter().map(|b| b.id).collect();
        if let Some(extra) = s.ballots.iter().find(|b| !events.contains(&b.id)) {
            return Some(format!(
                "ballot row {} (vote {}) has no event in the log",
                extra.id, s.id
            ));
        }
    }
    stored
        .get(replayed.len())
        .map(|extra| format!("vote row {} has no event in the log", extra.id))
}

/// The first place two JSON values differ: its path and both sides, shortened.
fn first_difference(a: &Value, b: &Value, path: String) -> Option<(String, String, String)> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort_unstable();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                let null = Value::Null;
                first_difference(
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    format!("{path}.{k}"),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (a, b))| first_difference(a, b, format!("{path}[{i}]")))
            .or_else(|| {
                (x.len() != y.len()).then(|| {
                    (
                        format!("{path} (length)"),
                        x.len().to_string(),
                        y.len().to_string(),
                    )
                })
            }),
        _ if a == b => None,
        _ => Some((path, short(a), short(b))),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each query of a chunk searches an index range; a full scan in one of them would make the
    /// groups' pass quadratic in the number of groups. Only the small rows (votes, ballots) may
    /// be sorted; the events come in the index's order.
    #[tokio::test]
    async fn a_chunk_is_read_through_index_ranges_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("govbot.db")).await.unwrap();
        for (query, sorts) in [
            (EVENTS_FROM, false),
            (GROUPS_FROM, false),
            (CHUNK_EVENTS, false),
            (CHUNK_GROUPS_ROWS, false),
            (CHUNK_VOTES, true),
            (CHUNK_BALLOTS, true),
        ] {
            let plan: Vec<String> = sqlx::query(&format!("EXPLAIN QUERY PLAN {query}"))
                .bind(1i64)
                .bind(1_000i64)
                .fetch_all(store.pool())
                .await
                .unwrap()
                .iter()
                .map(|row| row.get("detail"))
                .collect();
            println!("{}\n  {}", query.trim(), plan.join("\n  "));
            assert!(
                plan.iter()
                    .all(|d| d.starts_with("SEARCH ") || sorts && d.starts_with("USE TEMP B-TREE")),
                "{query}: {plan:#?}"
            );
        }
        store.close().await;
    }
}
