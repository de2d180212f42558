//! The audit log: every event of every group, in order, never changed.

use super::error::StoreError;
use super::groups::GroupId;
use super::{from_millis, millis, Store};
use crate::governance::{replay, Event, Group};
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

pub(super) async fn append_events(
    conn: &mut SqliteConnection,
    id: GroupId,
    version: i64,
    events: &[Event],
    trigger_key: Option<&str>,
) -> Result<(), StoreError> {
    for (i, e) in events.iter().enumerate() {
        sqlx::query(
            "INSERT INTO audit_log (group_id, seq, at, actor, kind, reason, trigger_key, event_json)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.0)
        .bind(version + 1 + i as i64)
        .bind(millis(e.at))
        .bind(e.actor.id().map(|m| m.0 as i64))
        .bind(e.kind.name())
        .bind(&e.reason)
        .bind(trigger_key)
        .bind(serde_json::to_string(e)?)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
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
