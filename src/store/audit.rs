//! The audit log: every event of every group, in order, never changed.

use super::chain::{self, ChainedEvent};
use super::error::StoreError;
use super::groups::GroupId;
use super::{from_millis, millis, Store};
use crate::governance::{replay, Event, Group, Timestamp};
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
/// the whole log and linked into the hash chain (`docs/audit.md`). Inside the caller's
/// transaction, which must hold the write lock (`BEGIN IMMEDIATE`) so nobody appends in between.
pub(super) async fn append_events(
    conn: &mut SqliteConnection,
    id: GroupId,
    version: i64,
    events: &[Event],
    trigger_key: Option<&str>,
) -> Result<(), StoreError> {
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
        last = event_id;
        prev = hash;
    }
    Ok(())
}

/// Appends a whole history for group `id` after its event `after_seq`, chained like any other,
/// inside the caller's transaction: for benchmarks and tools that fill a database in bulk, with
/// events the core decided (nothing here checks them against the rules) and the group's state
/// written by the caller. Governance goes through [`Store::execute`].
pub async fn append_history(
    conn: &mut SqliteConnection,
    id: GroupId,
    after_seq: i64,
    events: &[Event],
) -> Result<(), StoreError> {
    append_events(conn, id, after_seq, events, None).await
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

    /// Rebuilds a group from its audit log alone.
    pub async fn replay(&self, id: GroupId) -> Result<Group, StoreError> {
        let history = self.history(id).await?;
        replay(history.iter().map(|e| &e.event)).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}
