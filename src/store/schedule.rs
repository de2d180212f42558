//! What the scheduler and the outbox read: groups with something due, and the audit log in order.
//!
//! Due groups come from the `groups_by_due` index on `next_due_at`, which every decision keeps
//! current, so finding the due votes among many groups is an index range, not a scan.

use super::error::StoreError;
use super::groups::GroupId;
use super::{from_millis, millis, Store};
use crate::governance::{Event, Timestamp};
use sqlx::Row;

/// One row of the audit log, with its position in the whole log.
#[derive(Debug, Clone)]
pub struct LoggedEvent {
    pub id: i64,
    pub group_id: GroupId,
    pub seq: i64,
    pub event: Event,
}

impl Store {
    /// Groups with something due at or before `now`, the most overdue first.
    pub async fn due_groups(&self, now: Timestamp, limit: u32) -> Result<Vec<GroupId>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM groups WHERE next_due_at IS NOT NULL AND next_due_at <= ?
             ORDER BY next_due_at LIMIT ?",
        )
        .bind(millis(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(GroupId).collect())
    }

    /// The earliest instant at which anything is due, for the scheduler's sleep.
    pub async fn next_due_at(&self) -> Result<Option<Timestamp>, StoreError> {
        let ms: Option<i64> = sqlx::query_scalar(
            "SELECT next_due_at FROM groups WHERE next_due_at IS NOT NULL
             ORDER BY next_due_at LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        ms.map(from_millis).transpose()
    }

    /// Events after position `after` in the whole audit log, oldest first.
    pub async fn events_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, group_id, seq, event_json FROM audit_log WHERE id > ? ORDER BY id LIMIT ?",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LoggedEvent {
                    id: r.get("id"),
                    group_id: GroupId(r.get("group_id")),
                    seq: r.get("seq"),
                    event: serde_json::from_str(r.get("event_json"))?,
                })
            })
            .collect()
    }

    /// The last event `consumer` has handled.
    pub async fn outbox_cursor(&self, consumer: &str) -> Result<i64, StoreError> {
        let at: Option<i64> =
            sqlx::query_scalar("SELECT last_event FROM outbox_cursor WHERE consumer = ?")
                .bind(consumer)
                .fetch_optional(&self.pool)
                .await?;
        Ok(at.unwrap_or(0))
    }

    pub async fn set_outbox_cursor(&self, consumer: &str, event: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO outbox_cursor (consumer, last_event) VALUES (?1, ?2)
             ON CONFLICT (consumer) DO UPDATE SET last_event = MAX(last_event, excluded.last_event)",
        )
        .bind(consumer)
        .bind(event)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
