//! The audit log: every event of every group, in order, never changed.

use super::ballots::{self, BallotRecord, VoteRecord};
use super::chain::{self, ChainedEvent};
use super::error::StoreError;
use super::groups::GroupId;
use super::{from_millis, millis, Store};
use crate::governance::{replay, Ballot, Ballots, Event, EventKind, Group, Timestamp};
use serde::Serialize;
use sqlx::{Row, SqliteConnection};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredEvent {
    pub group_id: GroupId,
    pub seq: i64,
    /// The external trigger that caused it (interaction, message, reaction), if any.
    pub trigger: Option<String>,
    pub event: Event,
}

/// Appends `events` to group `id`'s history after its event `version`, each with the next id of
/// the whole log and linked into the hash chain (`docs/audit.md`); returns their audit log ids.
/// Inside the caller's transaction, which must hold the write lock (`BEGIN IMMEDIATE`) so nobody
/// appends in between.
pub(super) async fn append_events(
    conn: &mut SqliteConnection,
    id: GroupId,
    version: i64,
    events: &[Event],
    trigger_key: Option<&str>,
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(events.len());
    let (mut last, mut prev) = chain::tip(conn).await?;
    for (i, e) in events.iter().enumerate() {
        let json = serde_json::to_string(e)?;
        // Hashed as verification will read it back: parsed from the stored text.
        let value: serde_json::Value = serde_json::from_str(&json)?;
        let event_id = last + 1;
        let seq = version + 1 + i as i64;
        let actor = e.actor.id().map(|m| m.0 as i64);
        let hash = ChainedEvent {
            id: event_id,
            group: id.0,
            seq,
            at: millis(e.at),
            actor,
            kind: e.kind.name(),
            reason: e.reason.as_deref(),
            trigger: trigger_key,
            event: &value,
            prev: &prev,
        }
        .hash();
        sqlx::query(
            "INSERT INTO audit_log (id, group_id, seq, at, actor, kind, reason, trigger_key,
                                    event_json, prev_hash, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(event_id)
        .bind(id.0)
        .bind(seq)
        .bind(millis(e.at))
        .bind(actor)
        .bind(e.kind.name())
        .bind(&e.reason)
        .bind(trigger_key)
        .bind(&json)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
        ids.push(event_id);
        last = event_id;
        prev = hash;
    }
    Ok(ids)
}

/// Appends a whole history for group `id` after its event `after_seq`, chained like any other,
/// inside the caller's transaction: for benchmarks and tools that fill a database in bulk, with
/// events the core decided (nothing here checks them against the rules) and the group's state
/// written by the caller (before: the votes and ballots rows refer to it). Its votes and ballots
/// rows are written here, as [`Store::execute`] writes them. Governance goes through
/// [`Store::execute`].
pub async fn append_history(
    conn: &mut SqliteConnection,
    id: GroupId,
    after_seq: i64,
    events: &[Event],
) -> Result<(), StoreError> {
    let ids = append_events(conn, id, after_seq, events, None).await?;
    // The vote a ballot belongs to: the last one opened in the group, here or before.
    let mut opened: Option<Timestamp> = match sqlx::query_scalar::<_, i64>(
        "SELECT opened_at FROM votes WHERE group_id = ? ORDER BY id DESC LIMIT 1",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?
    {
        Some(ms) => Some(from_millis(ms)?),
        None => None,
    };
    let mut known = ballots::Known::default();
    for (event_id, e) in ids.iter().zip(events) {
        if let EventKind::VoteOpened { .. } = e.kind {
            opened = Some(e.at);
        }
        ballots::project(conn, id, *event_id, e, None, opened, &mut known).await?;
    }
    Ok(())
}

/// The time of group `id`'s last event, if it has any.
pub(super) async fn last_event_at(
    conn: &mut SqliteConnection,
    id: GroupId,
) -> Result<Option<Timestamp>, StoreError> {
    let at: Option<i64> =
        sqlx::query_scalar("SELECT at FROM audit_log WHERE group_id = ? ORDER BY seq DESC LIMIT 1")
            .bind(id.0)
            .fetch_optional(conn)
            .await?;
    at.map(from_millis).transpose()
}

impl Store {
    /// A group's events in order. Unknown ids are an error, not an empty history.
    pub async fn history(&self, id: GroupId) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT group_id, seq, at, trigger_key, event_json FROM audit_log
             WHERE group_id = ? ORDER BY seq",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Err(StoreError::UnknownGroup(id));
        }
        rows.iter()
            .map(|row| {
                let event: Event = serde_json::from_str(row.get("event_json"))?;
                if millis(event.at) != row.get::<i64, _>("at") {
                    return Err(StoreError::Corrupt(format!(
                        "event {} of group {id} disagrees with its time column ({})",
                        row.get::<i64, _>("seq"),
                        from_millis(row.get("at"))?
                    )));
                }
                Ok(StoredEvent {
                    group_id: GroupId(row.get("group_id")),
                    seq: row.get("seq"),
                    trigger: row.get("trigger_key"),
                    event,
                })
            })
            .collect()
    }

    /// Rebuilds a group from its audit log alone: its state, and each of its votes with every
    /// ballot and the count of the standing ones. It must equal [`Store::record`], what the store
    /// keeps.
    pub async fn replay(&self, id: GroupId) -> Result<GroupRecord, StoreError> {
        let rows = sqlx::query(
            "SELECT id, trigger_key, event_json FROM audit_log WHERE group_id = ? ORDER BY seq",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Err(StoreError::UnknownGroup(id));
        }
        let mut events = Vec::with_capacity(rows.len());
        let mut votes: Vec<(VoteRecord, Ballots, crate::governance::Vote)> = Vec::new();
        for row in &rows {
            let event: Event = serde_json::from_str(row.get("event_json"))?;
            events.push(event);
            let event = events.last().expect("just pushed");
            let event_id: i64 = row.get("id");
            match &event.kind {
                EventKind::VoteOpened { .. } => {
                    let group = replay(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    let vote = group.vote.ok_or_else(|| {
                        StoreError::Corrupt(format!("event {event_id} opened no vote"))
                    })?;
                    votes.push((
                        VoteRecord {
                            id: event_id,
                            opened_at: from_millis(millis(event.at))?,
                            counts: Default::default(),
                            ballots: Vec::new(),
                        },
                        Ballots::default(),
                        vote,
                    ));
                }
                EventKind::BallotCast { voter, choice } => {
                    let (record, ballots, _) = votes.last_mut().ok_or_else(|| {
                        StoreError::Corrupt(format!("ballot {event_id} before any vote"))
                    })?;
                    // Kept to the millisecond, as every time in the database.
                    let ballot = Ballot {
                        voter: *voter,
                        choice: *choice,
                        at: from_millis(millis(event.at))?,
                    };
                    ballots.push(ballot.clone());
                    record.ballots.push(BallotRecord {
                        id: event_id,
                        ballot,
                        trigger: row.get("trigger_key"),
                    });
                }
                _ => {}
            }
        }
        let group = replay(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let votes = votes
            .into_iter()
            .map(|(mut record, ballots, vote)| {
                record.counts = ballots.counts(&vote);
                record
            })
            .collect();
        Ok(GroupRecord { group, votes })
    }

    /// A group as the store keeps it: its state row, and its votes' rows and ballots.
    pub async fn record(&self, id: GroupId) -> Result<GroupRecord, StoreError> {
        let group = self.group(id).await?.group;
        let votes = self.vote_records(id).await?;
        Ok(GroupRecord { group, votes })
    }
}

/// A group with everything the store derives from its events: its state, and each of its votes
/// with its count and every ballot (see [`Store::replay`] and [`Store::record`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    pub group: Group,
    /// Oldest first.
    pub votes: Vec<VoteRecord>,
}
